// The chunk encoder gives the bytes the standard's TextEncoderStream gives, surrogate pairs split
// across chunks included.
import { describe, expect, it } from "vitest";
import { ChunkTextEncoderStream } from "./text-encoder-stream";

async function encode(chunks: string[]): Promise<Buffer> {
  const s = new ChunkTextEncoderStream();
  const w = s.writable.getWriter();
  const out: Uint8Array[] = [];
  const reading = (async () => {
    for await (const c of s.readable as unknown as AsyncIterable<Uint8Array>) out.push(c);
  })();
  for (const c of chunks) await w.write(c);
  await w.close();
  await reading;
  return Buffer.concat(out);
}

describe("ChunkTextEncoderStream", () => {
  it("encodes as UTF-8, joining a surrogate pair split over two chunks", async () => {
    const smile = "😀"; // \ud83d\ude00
    expect((await encode(["data: é€", smile[0] as string, `${smile[1]}x\n`])).toString("utf8")).toBe(
      `data: é€${smile}x\n`,
    );
  });

  it("replaces lone surrogates, also one left at the end", async () => {
    expect((await encode(["a\udc00b", "\ud83d"])).toString("utf8")).toBe("a\uFFFDb\uFFFD");
  });
});
