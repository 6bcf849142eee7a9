// Reassembles text lines from Talos log chunks, which are cut every 1 KiB regardless of line or UTF-8 boundaries.
import { StringDecoder } from "node:string_decoder";

export class LineReader {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  /** Feeds one chunk; returns the lines it completed, without their line endings. */
  push(chunk: Uint8Array): string[] {
    const text =
      this.partial + this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    return parts.map(stripCarriageReturn);
  }

  /** Ends the stream; returns the unterminated last line, if any. */
  flush(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    return rest === "" ? [] : [stripCarriageReturn(rest)];
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
