// The MAC of the audit trail's head: HMAC-SHA256 of the newest entry's id and hash, under a key
// derived (HKDF) from the instance's secret key, so the sealing key itself never signs anything.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { SecretKey } from "../../platform/secrets/secret-key";

export function headKeyId(key: SecretKey): string {
  return key.id.toString("hex");
}

function headKey(key: SecretKey): Buffer {
  return Buffer.from(hkdfSync("sha256", key.key, Buffer.alloc(0), "minos audit head v1", 32));
}

export function headMac(key: SecretKey, lastId: bigint, lastHash: string): string {
  return createHmac("sha256", headKey(key)).update(`${lastId}\n${lastHash}`).digest("hex");
}

export function headMacMatches(key: SecretKey, lastId: bigint, lastHash: string, mac: string): boolean {
  const expected = Buffer.from(headMac(key, lastId, lastHash), "hex");
  const given = Buffer.from(mac, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
