// Reads the bot's access token from the file or environment variable named in config; the token itself is never in config.
import { readFileSync } from "node:fs";

// The token, or a message naming the config path that is wrong.
export function readAccessToken(matrix: { access_token_file?: string | undefined; access_token_env?: string | undefined }): { token: string } | { problem: string } {
  if (matrix.access_token_file) {
    try {
      const token = readFileSync(matrix.access_token_file, "utf8").trim();
      if (!token) return { problem: `matrix.access_token_file: ${matrix.access_token_file} is empty` };
      return { token };
    } catch (error) {
      return { problem: `matrix.access_token_file: cannot read ${matrix.access_token_file} (${(error as NodeJS.ErrnoException).code ?? "error"})` };
    }
  }
  const name = matrix.access_token_env ?? "";
  const token = process.env[name]?.trim();
  if (!token) return { problem: `matrix.access_token_env: environment variable ${name} is not set` };
  return { token };
}
