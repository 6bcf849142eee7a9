// Rotating the secret key re-seals every credential under the new key, all or nothing; afterwards
// the old key opens none of them. Also through the admin CLI, as an operator runs it.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderTalosconfig, type TalosconfigContext } from "@/sim";
import { resealAuditHead } from "../../access/audit/reseal-audit-head";
import { verifyAuditChain } from "../../access/audit/verify-audit-chain";
import { lockDataDir } from "../../platform/runtime/data-dir-lock";
import { loadSecretKey, SECRET_KEY_FILE, type SecretKey } from "../../platform/secrets/secret-key";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createCa, talosContext } from "../../testing/talosconfig-contexts";
import { importCredentials } from "./import-credentials";
import { openCredential } from "./open-credential";
import { rotateSecretKey } from "./rotate-secret-key";
import { sealCredentialKey } from "./seal-key";

const run = promisify(execFile);
let database: TestDatabase;
let contexts: TalosconfigContext[];
let dataDir: string;
let oldKey: SecretKey;

beforeAll(async () => {
  database = await createTestDatabase();
  const ca = await createCa();
  contexts = await Promise.all([
    talosContext(ca, "edge-reader", { role: "os:reader" }),
    talosContext(ca, "edge-admin", { role: "os:admin" }),
  ]);
});
afterAll(() => database.drop());
beforeEach(async () => {
  await database.db.talosCredential.deleteMany();
  dataDir = await mkdtemp(path.join(os.tmpdir(), "minos-rotate-"));
  oldKey = await loadSecretKey({ dataDir });
  await importCredentials(database.db, { talosconfig: renderTalosconfig(contexts), secretKey: oldKey });
});

async function expectOpenWith(key: SecretKey) {
  for (const c of contexts) {
    expect((await openCredential(database.db, c.name, { secretKey: key })).keyPem).toBe(c.keyPem);
  }
}

async function expectRefusedBy(key: SecretKey) {
  for (const c of contexts) {
    await expect(openCredential(database.db, c.name, { secretKey: key })).rejects.toThrow(
      /sealed with another secret key/,
    );
  }
}

describe("secret key rotation", () => {
  it("re-seals under a generated key and puts it in the data directory; the old key opens nothing", async () => {
    const r = await rotateSecretKey(database.db, { current: oldKey, dataDir });
    expect(r.resealed).toEqual(["edge-admin", "edge-reader"]);
    expect(r.wroteKeyFile).toBe(path.join(dataDir, SECRET_KEY_FILE));
    const newKey = await loadSecretKey({ dataDir });
    expect(newKey.key.toString("base64")).toBe(r.newKey);
    expect((await stat(path.join(dataDir, SECRET_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await readdir(dataDir)).toEqual([SECRET_KEY_FILE]);
    await expectOpenWith(newKey);
    await expectRefusedBy(oldKey);
  });

  it("with MINOS_SECRET_KEY, re-seals under the given key and leaves the files alone", async () => {
    const envKey = await loadSecretKey({ envValue: randomBytes(32).toString("hex"), dataDir });
    await database.db.talosCredential.deleteMany();
    await importCredentials(database.db, { talosconfig: renderTalosconfig(contexts), secretKey: envKey });
    const given = randomBytes(32).toString("hex");
    const r = await rotateSecretKey(database.db, { current: envKey, newKey: given, dataDir });
    expect(r.wroteKeyFile).toBeNull();
    expect(await readFile(path.join(dataDir, SECRET_KEY_FILE), "utf8")).toBe(
      `${oldKey.key.toString("base64")}\n`,
    );
    await expectOpenWith(await loadSecretKey({ envValue: given, dataDir }));
    await expectRefusedBy(envKey);
  });

  it("changes nothing when one credential does not open with the current key", async () => {
    const stranger = await loadSecretKey({ envValue: randomBytes(32).toString("hex"), dataDir });
    await database.db.talosCredential.update({
      where: { name: "edge-reader" },
      data: { keySealed: sealCredentialKey(stranger, "edge-reader", contexts[0]?.keyPem ?? "") },
    });
    await expect(rotateSecretKey(database.db, { current: oldKey, dataDir })).rejects.toThrow(
      /"edge-reader" does not open with the current key .* Nothing was re-sealed/,
    );
    expect((await loadSecretKey({ dataDir })).id.equals(oldKey.id)).toBe(true);
    expect(await readdir(dataDir)).toEqual([SECRET_KEY_FILE]);
    expect((await openCredential(database.db, "edge-admin", { secretKey: oldKey })).keyPem).toBe(
      contexts[1]?.keyPem,
    );
  });

  it("refuses a malformed or unchanged key", async () => {
    await expect(rotateSecretKey(database.db, { current: oldKey, newKey: "short", dataDir })).rejects.toThrow(
      /--new-key must be 32 random bytes/,
    );
    await expect(
      rotateSecretKey(database.db, { current: oldKey, newKey: oldKey.key.toString("hex"), dataDir }),
    ).rejects.toThrow(/the key in use/);
  });
});

describe("npm run minos -- secret-key rotate", () => {
  const { MINOS_SECRET_KEY: _unset, ...inherited } = process.env;
  const cli = (args: string[]) =>
    run(process.execPath, ["--import", "tsx", "server/cli/main.ts", ...args], {
      env: { ...inherited, DATABASE_URL: database.url, MINOS_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    });

  it("prints a generated key once, writes it to the data directory, and is audited as the CLI", async () => {
    // The audit trail's head as the instance using the data directory's key signed it.
    await resealAuditHead(database.db, oldKey, {
      actor: "test",
      reason: "signed by the data directory's key",
    });
    const { stdout, stderr } = await cli(["secret-key", "rotate"]);
    expect(stderr).toContain("Re-sealed 2 Talos credential(s) under the new key.");
    expect(stderr).toContain("start Minos again");
    const newKey = await loadSecretKey({ dataDir });
    expect(stdout.trim()).toBe(newKey.key.toString("base64"));
    await expectOpenWith(newKey);
    await expectRefusedBy(oldKey);
    const entry = await database.db.auditEntry.findFirst({ where: { action: "secretKey.rotate" } });
    expect(entry).toMatchObject({ actor: "cli", result: "ok", target: "secret-key" });
    expect(JSON.stringify(entry?.details)).not.toContain(stdout.trim());
    // The head moved to the new key with the credentials, and signs the rotation's own entry.
    expect(await verifyAuditChain(database.db, { key: newKey })).toMatchObject({ ok: true });
    expect(await verifyAuditChain(database.db, { key: oldKey })).toMatchObject({
      ok: false,
      reason: "head signed by another key",
    });
  });

  it("refuses while a Minos server holds the data directory", async () => {
    const release = await lockDataDir(dataDir);
    try {
      await expect(cli(["secret-key", "rotate"])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining("Minos is running with the data directory"),
      });
    } finally {
      await release();
    }
    await expectOpenWith(oldKey);
  });
});
