// Deterministic node addresses, all inside 127.0.0.0/8 (never another range): the n-th node of the fleet.

const FIRST_SECOND_OCTET = 16; // keeps clear of 127.0.0.1 and 127.0.0.53, which hosts use for other things
const HOSTS_PER_BLOCK = 254; // the last octet runs 1..254

/** Address of the n-th node (0-based) of a fleet. */
export function nodeAddress(n: number): string {
  const last = 1 + (n % HOSTS_PER_BLOCK);
  const rest = Math.floor(n / HOSTS_PER_BLOCK);
  const third = rest % 256;
  const second = FIRST_SECOND_OCTET + Math.floor(rest / 256);
  if (second > 254) throw new Error(`fleet too large: node ${n} does not fit in 127.0.0.0/8`);
  return `127.${second}.${third}.${last}`;
}

export function isLoopbackV4(address: string): boolean {
  const parts = address.split(".");
  return (
    parts.length === 4 && parts[0] === "127" && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
  );
}

/** The 4 raw bytes of an IPv4 address (for NetIP fields). */
export function ipBytes(address: string): Uint8Array {
  return Uint8Array.from(address.split(".").map(Number));
}
