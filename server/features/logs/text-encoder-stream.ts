// Node 20's TextEncoderStream encodes character by character in JavaScript (building a new string per
// character), and tRPC pipes every server-sent event through one: at thousands of log lines per second
// that loop and its garbage were the largest cost of a live log stream (docs/benchmarks.md, "Live
// logs"). This one does what the Encoding Standard asks — encode each chunk, carrying a high surrogate
// that ends a chunk over to the next — with one TextEncoder call per chunk.

class ChunkTextEncoderStream {
  readonly encoding = "utf-8";
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<string>;

  constructor() {
    const encoder = new TextEncoder();
    let pending = "";
    const t = new TransformStream<string, Uint8Array>({
      transform(chunk, controller) {
        let text = pending + String(chunk);
        pending = "";
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = text.slice(-1);
          text = text.slice(0, -1);
        }
        // lone surrogates become U+FFFD, as the standard's encoder does
        if (text.length > 0) controller.enqueue(encoder.encode(text));
      },
      flush(controller) {
        if (pending) controller.enqueue(encoder.encode("\uFFFD"));
      },
    });
    this.readable = t.readable;
    this.writable = t.writable;
  }
}

const KEY = Symbol.for("minos.textEncoderStream");

/** Replaces the global TextEncoderStream once per process (idempotent). */
export function installChunkTextEncoderStream(): void {
  const g = globalThis as unknown as Record<symbol, boolean> & { TextEncoderStream: unknown };
  if (g[KEY]) return;
  g[KEY] = true;
  g.TextEncoderStream = ChunkTextEncoderStream;
}

export { ChunkTextEncoderStream };
