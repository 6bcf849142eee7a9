// The instance's secret key for sealing secrets at rest: MINOS_SECRET_KEY, or for the embedded
// default a key generated once into the data directory (readable by its owner only).
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export const SECRET_KEY_FILE = "secret.key";

export interface SecretKey {
  key: Buffer;
  /** First 8 bytes of sha256(key): stored with each sealed value to tell keys apart. */
  id: Buffer;
  source: "environment" | "data-directory";
}

export function decodeKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  if (key.length !== 32) throw new Error("a secret key must be 32 bytes (64 hex characters or base64)");
  return key;
}

export function withId(key: Buffer, source: SecretKey["source"]): SecretKey {
  return { key, id: createHash("sha256").update(key).digest().subarray(0, 8), source };
}

/** Loads the key from the environment value, else from (or newly into) the data directory. */
export async function loadSecretKey(opts: { envValue?: string; dataDir: string }): Promise<SecretKey> {
  if (opts.envValue) return withId(decodeKey(opts.envValue), "environment");
  const file = path.join(opts.dataDir, SECRET_KEY_FILE);
  const existing = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return null;
    throw err;
  });
  if (existing !== null) return withId(decodeKey(existing), "data-directory");
  await mkdir(opts.dataDir, { recursive: true });
  const key = randomBytes(32);
  // "wx": never overwrite a key another process wrote meanwhile.
  await writeFile(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" }).catch(
    async (err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    },
  );
  return withId(decodeKey(await readFile(file, "utf8")), "data-directory");
}
