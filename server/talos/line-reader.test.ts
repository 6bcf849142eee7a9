// Log lines read through the client come out whole, however the node cut its 1 KiB chunks.
import { describe, expect, it } from "vitest";
import { LineReader } from "./line-reader";

function chunked(text: string, size: number): Uint8Array[] {
  const bytes = Buffer.from(text, "utf8");
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

function readAll(chunks: Uint8Array[]): string[] {
  const reader = new LineReader();
  return [...chunks.flatMap((c) => reader.push(c)), ...reader.flush()];
}

describe("LineReader", () => {
  it("rebuilds lines split across 1 KiB chunks", () => {
    const lines = Array.from(
      { length: 200 },
      (_, i) => `2026/08/14 10:11:12.123456 [talos] line ${i} ${"x".repeat(i * 7)}`,
    );
    const out = readAll(chunked(`${lines.join("\n")}\n`, 1024));
    expect(out).toEqual(lines);
  });

  it("keeps multi-byte characters intact when a chunk ends inside one", () => {
    const line = `${"a".repeat(1023)}é — ünïcødé ✓`;
    const out = readAll(chunked(`${line}\nnext\n`, 1024));
    expect(out).toEqual([line, "next"]);
  });

  it("returns a final line without a trailing newline on flush", () => {
    const reader = new LineReader();
    expect(reader.push(Buffer.from("one\ntw"))).toEqual(["one"]);
    expect(reader.push(Buffer.from("o"))).toEqual([]);
    expect(reader.flush()).toEqual(["two"]);
    expect(reader.flush()).toEqual([]);
  });

  it("handles CRLF and empty lines", () => {
    expect(readAll([Buffer.from("a\r\n\r\nb\n")])).toEqual(["a", "", "b"]);
  });

  it("works one byte at a time", () => {
    const text = "first ✓\nsecond\n";
    expect(readAll(chunked(text, 1))).toEqual(["first ✓", "second"]);
  });
});

describe("LineReader with a line without end", () => {
  it("keeps the start of an over-long line, says how much it dropped, and reads the next line whole", () => {
    const reader = new LineReader(4096);
    const lines = [
      ...chunked(`${"z".repeat(10_000)}\nafter\n`, 1024).flatMap((c) => reader.push(c)),
      ...reader.flush(),
    ];
    expect(lines).toEqual([`${"z".repeat(4096)} … [5,904 more characters dropped by Minos]`, "after"]);
  });

  it("holds at most its limit while a node sends megabytes without a newline", () => {
    const reader = new LineReader(4096);
    for (const c of chunked("q".repeat(3_000_000), 1024)) expect(reader.push(c)).toEqual([]);
    const [line] = reader.flush();
    expect(line?.startsWith("q".repeat(4096))).toBe(true);
    expect(line).toContain("2,995,904 more characters dropped");
  });
});
