// Seals secrets at rest with AES-256-GCM. Layout of a sealed value:
// version (1 byte) | key id (8) | nonce (12) | auth tag (16) | ciphertext.
// `context` (e.g. "talos-credential:<name>") is bound as associated data, so a sealed value
// copied onto another record does not open.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { SecretKey } from "./secret-key";

const VERSION = 1;
const HEADER = 1 + 8 + 12 + 16;

export class SealError extends Error {
  override name = "SealError";
}

export function seal(key: SecretKey, plaintext: Buffer | string, context: string): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.key, nonce);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), key.id, nonce, cipher.getAuthTag(), body]);
}

export function open(key: SecretKey, sealed: Uint8Array, context: string): Buffer {
  const buf = Buffer.from(sealed);
  if (buf.length < HEADER || buf[0] !== VERSION) {
    throw new SealError("The stored secret is not in a format this version of Minos can read.");
  }
  const keyId = buf.subarray(1, 9);
  if (!keyId.equals(key.id)) {
    throw new SealError(
      `The stored secret was sealed with another secret key (id ${keyId.toString("hex")}; this instance has ` +
        `${key.id.toString("hex")}). Start Minos with the MINOS_SECRET_KEY it was stored with.`,
    );
  }
  const decipher = createDecipheriv("aes-256-gcm", key.key, buf.subarray(9, 21));
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(buf.subarray(21, 37));
  try {
    return Buffer.concat([decipher.update(buf.subarray(HEADER)), decipher.final()]);
  } catch {
    throw new SealError(
      "The stored secret failed its integrity check: it was altered or belongs to another record.",
    );
  }
}
