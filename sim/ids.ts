// Identifiers as Talos makes them: rs/xid event ids (base32hex, time-sortable) and UUIDs for actors and boots.
import { createHash, randomBytes, randomUUID } from "node:crypto";

// rs/xid's alphabet. xid-js uses Crockford's alphabet, so its ids would not decode as rs/xid ids.
const XID_ALPHABET = "0123456789abcdefghijklmnopqrstuv";
const machineId = createHash("md5").update("minos-talos-sim").digest().subarray(0, 3);
const pid = process.pid & 0xffff;
let counter = randomBytes(3).readUIntBE(0, 3);

/** Encodes 12 raw bytes the way rs/xid does (20 characters, no padding). */
export function encodeXid(raw: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of raw) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += XID_ALPHABET[(buffer >> bits) & 0x1f];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += XID_ALPHABET[(buffer << (5 - bits)) & 0x1f];
  return out;
}

/** A new xid whose time part is `atMs` (defaults to now). */
export function xid(atMs: number = Date.now()): string {
  const raw = Buffer.alloc(12);
  raw.writeUInt32BE(Math.floor(atMs / 1000) >>> 0, 0);
  machineId.copy(raw, 4);
  raw.writeUInt16BE(pid, 7);
  counter = (counter + 1) & 0xffffff;
  raw.writeUIntBE(counter, 9, 3);
  return encodeXid(raw);
}

/** A deterministic xid for generated history: the same (time, counter) always gives the same id. */
export function xidAt(atMs: number, counterValue: number): string {
  const raw = Buffer.alloc(12);
  raw.writeUInt32BE(Math.floor(atMs / 1000) >>> 0, 0);
  machineId.copy(raw, 4);
  raw.writeUInt16BE(pid, 7);
  raw.writeUIntBE(counterValue & 0xffffff, 9, 3);
  return encodeXid(raw);
}

/** The Unix time in seconds carried by an xid, or undefined when it is not one. */
export function xidTime(id: string): number | undefined {
  if (!/^[0-9a-v]{20}$/.test(id)) return undefined;
  let value = 0;
  for (let i = 0; i < 7; i++) value = value * 32 + XID_ALPHABET.indexOf(id[i] ?? "0");
  return Math.floor(value / 8); // the first 7 characters carry 35 bits: 32 of time and 3 of the next byte
}

// jxskiss/base62's standard alphabet, which Talos uses for node identities.
const BASE62_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Encodes bytes the way github.com/jxskiss/base62 does (what Talos uses for `IdentitySpec.NodeID`): 6-bit groups
 * read from the end of the input, except that a group of the form x1111x only consumes its low 5 bits (values
 * 30, 31, 62, 63 would not fit the 62-letter alphabet). 32 bytes give 43–45 characters.
 */
export function base62Encode(src: Uint8Array): string {
  const bit = (k: number) => ((src[k >> 3] ?? 0) >> (7 - (k & 7))) & 1;
  let out = "";
  let pos = src.length * 8;
  while (pos > 0) {
    let start = Math.max(0, pos - 6);
    let b = 0;
    for (let k = start; k < pos; k++) b = (b << 1) | bit(k);
    if ((b & 0x1e) === 0x1e) {
      if (start > 0 || b > 0x1f) start++;
      b &= 0x1f;
    }
    out += BASE62_ALPHABET[b];
    pos = start;
  }
  return out;
}

/** The inverse of base62Encode (jxskiss/base62 Decode). */
export function base62Decode(text: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const x = BASE62_ALPHABET.indexOf(text[i] ?? "");
    if (x < 0) throw new Error(`illegal base62 data at input byte ${i}`);
    acc |= x << bits;
    if (i === text.length - 1) bits += x === 0 ? 0 : 32 - Math.clz32(x);
    else bits += (x & 0x1e) === 0x1e ? 5 : 6;
    if (bits >= 8) {
      out.push(acc & 0xff);
      bits -= 8;
      acc >>= 8;
    }
  }
  if (bits > 0) out.push(acc & 0xff);
  return Uint8Array.from(out.reverse());
}

/**
 * A node's cluster identity (`Members.cluster.talos.dev` node_id): Talos draws 32 random bytes once, keeps them on
 * the STATE partition, and base62-encodes them; here the bytes derive from the seed so a fleet is reproducible.
 */
export function nodeIdentity(seed: string, nodeIndex: number): string {
  return base62Encode(createHash("sha256").update(`${seed}/identity/${nodeIndex}`).digest());
}

export function uuid(): string {
  return randomUUID();
}

/** A UUID derived from text, so a seeded fleet gets the same boot ids on every run. */
export function stableUuid(text: string): string {
  const h = createHash("sha256").update(text).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x40;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
