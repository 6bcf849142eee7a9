import { mkdtemp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { open, SealError, seal } from "./seal";
import { loadSecretKey, SECRET_KEY_FILE } from "./secret-key";

const tmp = () => mkdtemp(path.join(os.tmpdir(), "minos-secret-"));

describe("secret key", () => {
  it("is generated once into the data directory, owner-readable only, and reused", async () => {
    const dir = await tmp();
    const first = await loadSecretKey({ dataDir: dir });
    const second = await loadSecretKey({ dataDir: dir });
    expect(first.source).toBe("data-directory");
    expect(second.key.equals(first.key)).toBe(true);
    expect((await stat(path.join(dir, SECRET_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it("comes from MINOS_SECRET_KEY when set, leaving the data directory alone", async () => {
    const dir = await tmp();
    const key = await loadSecretKey({ envValue: "11".repeat(32), dataDir: dir });
    expect(key.source).toBe("environment");
    expect(key.key.equals(Buffer.alloc(32, 0x11))).toBe(true);
    await expect(readFile(path.join(dir, SECRET_KEY_FILE))).rejects.toThrow();
  });
});

describe("sealing", () => {
  it("round-trips and never stores the plaintext", async () => {
    const key = await loadSecretKey({ dataDir: await tmp() });
    const sealed = seal(key, "-----BEGIN PRIVATE KEY-----secret", "talos-credential:edge");
    expect(sealed.includes(Buffer.from("secret"))).toBe(false);
    expect(open(key, sealed, "talos-credential:edge").toString()).toBe("-----BEGIN PRIVATE KEY-----secret");
  });

  it("refuses another key with a message saying which key is needed", async () => {
    const a = await loadSecretKey({ dataDir: await tmp() });
    const b = await loadSecretKey({ dataDir: await tmp() });
    const sealed = seal(a, "x", "ctx");
    expect(() => open(b, sealed, "ctx")).toThrow(SealError);
    expect(() => open(b, sealed, "ctx")).toThrow(/sealed with another secret key.*MINOS_SECRET_KEY/);
  });

  it("detects tampering and a value moved to another record", async () => {
    const key = await loadSecretKey({ dataDir: await tmp() });
    const sealed = seal(key, "private key", "talos-credential:a");
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
    expect(() => open(key, tampered, "talos-credential:a")).toThrow(/integrity check/);
    expect(() => open(key, sealed, "talos-credential:b")).toThrow(/integrity check/);
    expect(() => open(key, Buffer.from("junk"), "talos-credential:a")).toThrow(/not in a format/);
  });
});
