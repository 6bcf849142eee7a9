// Identifiers in Talos's formats: rs/xid event ids and jxskiss/base62 node identities.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base62Decode, base62Encode, nodeIdentity, xidAt, xidTime } from "./ids";

describe("base62 node identities", () => {
  it("round-trips any bytes, including the compact groups (x1111x) and leading zeros", () => {
    const samples = [
      new Uint8Array([0xff, 0xff, 0xff, 0xff]),
      new Uint8Array([0x00, 0x01, 0x7c, 0xf8]),
      new Uint8Array([0x3f]),
      new Uint8Array([0xfe, 0x00]),
      ...Array.from({ length: 300 }, (_, i) => randomBytes(1 + (i % 40))),
    ];
    for (const s of samples) {
      const text = base62Encode(s);
      expect(text).toMatch(/^[A-Za-z0-9]+$/);
      const back = base62Decode(text);
      // like jxskiss/base62, leading zero bytes do not survive: compare the significant part
      const trim = (b: Uint8Array) =>
        Buffer.from(b.subarray(b.findIndex((x) => x !== 0) >>> 0)).toString("hex");
      expect(trim(back), text).toBe(trim(s));
    }
  });

  it("gives 43 to 45 characters for the 32 bytes of a node identity, stable by seed", () => {
    const ids = Array.from({ length: 200 }, (_, i) => nodeIdentity("seed", i));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{43,45}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(nodeIdentity("seed", 7)).toBe(ids[7]);
    expect(nodeIdentity("other", 7)).not.toBe(ids[7]);
  });
});

describe("xid", () => {
  it("sorts by time, then by counter", () => {
    const a = xidAt(1_700_000_000_000, 5);
    const b = xidAt(1_700_000_000_000, 6);
    const c = xidAt(1_700_000_001_000, 0);
    expect([c, b, a].sort()).toEqual([a, b, c]);
    expect(xidTime(a)).toBe(1_700_000_000);
  });
});
