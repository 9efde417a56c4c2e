// Uploads a command's file (a job's log) even when it is larger than the homeserver accepts: on
// M_TOO_LARGE magi asks the server's upload limit and sends the end of the file that fits, after a
// line saying what was cut, so !log always answers with the newest lines (Dendrite's default limit
// is 10 MiB, Synapse's 50 MiB; a long build's log can pass either).
import type { MatrixClient } from "matrix-bot-sdk";
import { isTooLarge } from "./too-large.ts";

// What went up: where, how many bytes, and how many were cut from the front (0 when none).
export interface UploadedFile {
  url: string;
  size: number;
  cutBytes: number;
  limit?: number;
}

// The server's upload limit, from the authenticated media config (v1.11) or the older path.
const MEDIA_CONFIG_PATHS = ["/_matrix/client/v1/media/config", "/_matrix/media/v3/config"];
// Room for the note line and for a server that counts a little more than the body.
const MARGIN_BYTES = 1024;

// Asks the homeserver how large an upload may be; undefined when it won't say.
async function readUploadLimit(client: MatrixClient): Promise<number | undefined> {
  for (const path of MEDIA_CONFIG_PATHS) {
    try {
      const config = (await client.doRequest("GET", path)) as Record<string, unknown>;
      const size = config["m.upload.size"];
      if (typeof size === "number" && size > 0) return size;
    } catch {
      // The older path is tried next; a server that answers neither gets the original error.
    }
  }
  return undefined;
}

// The end of data that fits in limit bytes, starting at a line, after a note naming what was cut.
export function cutToTail(data: Buffer, limit: number): { data: Buffer; cutBytes: number } {
  const room = Math.max(0, limit - MARGIN_BYTES);
  let start = Math.max(0, data.length - room);
  const newline = data.indexOf(0x0a, start);
  if (start > 0 && newline !== -1 && newline + 1 < data.length) start = newline + 1;
  const note = Buffer.from(`[magi: the first ${start} of ${data.length} bytes are cut here; the homeserver accepts uploads up to ${limit} bytes. magi keeps the whole log.]\n`);
  return { data: Buffer.concat([note, data.subarray(start)]), cutBytes: start };
}

// Uploads the file, or its end that fits when the homeserver refuses the whole as too large.
export async function uploadWithinLimit(client: MatrixClient, file: { data: Buffer; mimetype: string; name: string }): Promise<UploadedFile> {
  try {
    return { url: await client.uploadContent(file.data, file.mimetype, file.name), size: file.data.length, cutBytes: 0 };
  } catch (error) {
    if (!isTooLarge(error)) throw error;
    const limit = await readUploadLimit(client);
    if (limit === undefined || limit <= MARGIN_BYTES) throw error;
    const cut = cutToTail(file.data, limit);
    return { url: await client.uploadContent(cut.data, file.mimetype, file.name), size: cut.data.length, cutBytes: cut.cutBytes, limit };
  }
}
