// Reassembles text lines from Talos log chunks, which are cut every 1 KiB regardless of line or UTF-8 boundaries.
// A node that sends a line without end (a flood, a binary dump) cannot grow Minos's memory: a line longer than
// `maxLineChars` keeps its start, the rest up to the next newline is counted and dropped.
import { StringDecoder } from "node:string_decoder";

/** Lines longer than this (in characters) are cut; the log viewer cuts far shorter lines for display anyway. */
export const MAX_LINE_CHARS = 4 << 20;

export class LineReader {
  private readonly decoder = new StringDecoder("utf8");
  /** Pieces of the unterminated line (joined only when it ends: no copying per chunk). */
  private pieces: string[] = [];
  private length = 0;
  private dropped = 0;

  constructor(private readonly maxLineChars = MAX_LINE_CHARS) {}

  /** Feeds one chunk; returns the lines it completed, without their line endings. */
  push(chunk: Uint8Array): string[] {
    const text = this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const out: string[] = [];
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      this.append(text.slice(start, nl));
      out.push(this.take());
      start = nl + 1;
    }
    this.append(text.slice(start));
    return out;
  }

  /** Ends the stream; returns the unterminated last line, if any. */
  flush(): string[] {
    this.append(this.decoder.end());
    if (this.length === 0 && this.dropped === 0) return [];
    return [this.take()];
  }

  private append(text: string): void {
    if (text === "") return;
    const room = this.maxLineChars - this.length;
    if (text.length > room) {
      this.dropped += text.length - Math.max(0, room);
      if (room <= 0) return;
      text = text.slice(0, room);
    }
    this.pieces.push(text);
    this.length += text.length;
  }

  private take(): string {
    let line = this.pieces.length === 1 ? (this.pieces[0] ?? "") : this.pieces.join("");
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (this.dropped > 0)
      line += ` … [${this.dropped.toLocaleString("en-US")} more characters dropped by Minos]`;
    this.pieces = [];
    this.length = 0;
    this.dropped = 0;
    return line;
  }
}
