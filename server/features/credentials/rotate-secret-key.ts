// Rotates the instance's secret key: re-seals every credential under the new key and, when the key
// lives in the data directory, puts the new one there. The file is written beside the old one first
// and renamed over it only after the database committed, so neither is ever left without the other.
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { loadSecretKey, SECRET_KEY_FILE, type SecretKey } from "../../platform/secrets/secret-key";
import { resealCredentials } from "./reseal-credentials";

export interface RotateResult {
  /** The new key, base64; the caller shows it once. */
  newKey: string;
  resealed: string[];
  /** The data-directory key file now holds the new key. */
  wroteKeyFile: string | null;
}

export async function rotateSecretKey(
  db: PrismaClient,
  input: { current: SecretKey; newKey?: string; dataDir: string },
): Promise<RotateResult> {
  const text = input.newKey ?? randomBytes(32).toString("base64");
  let next: SecretKey;
  try {
    // The environment path of loadSecretKey decodes a given key without touching any file.
    next = await loadSecretKey({ envValue: text, dataDir: input.dataDir });
  } catch {
    throw new AppError("BAD_REQUEST", {
      userMessage:
        "--new-key must be 32 random bytes, as 64 hex characters or base64 (openssl rand -base64 32).",
    });
  }
  if (next.id.equals(input.current.id)) {
    throw new AppError("BAD_REQUEST", {
      userMessage: "The new key is the key in use; give a different one.",
    });
  }
  const newKey = next.key.toString("base64");
  if (input.current.source !== "data-directory") {
    const { resealed } = await resealCredentials(db, { from: input.current, to: next });
    return { newKey, resealed, wroteKeyFile: null };
  }
  const file = path.join(input.dataDir, SECRET_KEY_FILE);
  const pending = `${file}.new`;
  await rm(pending, { force: true }); // a leftover of an interrupted run may have another mode
  await writeFile(pending, `${newKey}\n`, { mode: 0o600, flag: "wx" });
  let resealed: string[];
  try {
    ({ resealed } = await resealCredentials(db, { from: input.current, to: next }));
  } catch (err) {
    await rm(pending, { force: true });
    throw err;
  }
  await rename(pending, file);
  return { newKey, resealed, wroteKeyFile: file };
}
