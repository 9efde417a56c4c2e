import { StringDecoder } from "node:string_decoder";

// Turns output chunks into whole lines; also keeps the full decoded text.
export type LineSplitter = {
  push: (chunk: Buffer) => void;
  flush: () => void;
  text: () => string;
};

// Creates a splitter for one stream; onLine gets each line without its newline.
export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  // A chunk can end mid-character: the decoder holds back incomplete UTF-8 sequences.
  const decoder = new StringDecoder("utf8");
  const parts: string[] = [];
  let carry = "";
  const emit = (decoded: string) => {
    parts.push(decoded);
    const pieces = (carry + decoded).split("\n");
    carry = pieces.pop() ?? "";
    for (const piece of pieces) onLine(piece.endsWith("\r") ? piece.slice(0, -1) : piece);
  };
  return {
    push: (chunk) => emit(decoder.write(chunk)),
    flush: () => {
      emit(decoder.end());
      if (carry !== "") onLine(carry);
      carry = "";
    },
    text: () => parts.join(""),
  };
}
