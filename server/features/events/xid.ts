// The time carried by a Talos event id (rs/xid: 12 bytes in base32hex, the first 4 the Unix second).
const ALPHABET = "0123456789abcdefghijklmnopqrstuv";

/** Milliseconds since the epoch (whole seconds), or undefined when the id is not an xid. */
export function xidTimeMs(id: string): number | undefined {
  if (!/^[0-9a-v]{20}$/.test(id)) return undefined;
  let value = 0;
  // The first 7 characters hold 35 bits: the 32 of the time and 3 of the next byte.
  for (let i = 0; i < 7; i++) value = value * 32 + ALPHABET.indexOf(id.charAt(i));
  return Math.floor(value / 8) * 1000;
}
