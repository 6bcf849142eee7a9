// An administrator imports a talosconfig: every context becomes a credential with its key sealed,
// or a bad file is refused with a reason naming the context, and nothing is stored.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CertificateAuthority,
  EKU_SERVER_AUTH,
  issueClientCert,
  renderTalosconfig,
  type TalosconfigContext,
} from "@/sim";
import { AppError } from "../../model/errors";
import { loadSecretKey, type SecretKey } from "../../platform/secrets/secret-key";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createCa, leaked, talosContext } from "../../testing/talosconfig-contexts";
import { importCredentials } from "./import-credentials";
import { listCredentials } from "./list-credentials";
import { openCredential } from "./open-credential";
import { removeCredential } from "./remove-credential";
import { replaceCredential } from "./replace-credential";

let database: TestDatabase;
let secretKey: SecretKey;
let ca: CertificateAuthority;
let reader: TalosconfigContext;
let operator: TalosconfigContext;
let admin: TalosconfigContext;

beforeAll(async () => {
  database = await createTestDatabase();
  secretKey = await loadSecretKey({ dataDir: await mkdtemp(path.join(os.tmpdir(), "minos-cred-")) });
  ca = await createCa();
  [reader, operator, admin] = await Promise.all([
    talosContext(ca, "edge-reader", { role: "os:reader", endpoints: ["10.0.0.1", "10.0.0.2:50001"] }),
    talosContext(ca, "edge-operator", { role: "os:operator" }),
    talosContext(ca, "edge-admin", { role: "os:admin", days: 20 }),
  ]);
});
afterAll(() => database.drop());
beforeEach(async () => {
  await database.db.talosCredential.deleteMany();
});

const importText = (talosconfig: string) => importCredentials(database.db, { talosconfig, secretKey });

/** Runs an import expected to fail; returns the message a user sees. */
async function refusal(talosconfig: string): Promise<string> {
  try {
    await importText(talosconfig);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).userMessage;
  }
  throw new Error("expected the import to be refused");
}

/** Every stored row as Postgres prints it (bytea as hex), for searching raw bytes. */
async function rawRows(table: string): Promise<string> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const r = await client.query(`SELECT coalesce(string_agg(t::text, E'\\n'), '') AS rows FROM ${table} t`);
    return r.rows[0].rows as string;
  } finally {
    await client.end();
  }
}

describe("importing a talosconfig", () => {
  it("makes every context a credential with its endpoints, role and validity", async () => {
    const imported = await importText(renderTalosconfig([reader, operator, admin]));
    expect(imported.map((c) => [c.name, c.role])).toEqual([
      ["edge-reader", "os:reader"],
      ["edge-operator", "os:operator"],
      ["edge-admin", "os:admin"],
    ]);
    const facts = await listCredentials(database.db);
    expect(facts.map((f) => f.name)).toEqual(["edge-admin", "edge-operator", "edge-reader"]);
    const r = facts.find((f) => f.name === "edge-reader");
    expect(r?.endpoints).toEqual(["10.0.0.1:50000", "10.0.0.2:50001"]);
    expect(r?.role).toBe("os:reader");
    expect(r?.daysLeft).toBe(364);
    expect(r?.certNotBefore.getTime()).toBeLessThan(Date.now());
  });

  it("stores the private key only sealed: not in any row, and it opens to the original key", async () => {
    await importText(renderTalosconfig([reader, admin]));
    const rows = await rawRows("talos_credential");
    expect(rows).toContain("edge-reader");
    // The search finds a key wherever it is in plaintext (here: the file itself).
    expect(leaked(renderTalosconfig([reader]), [reader.keyPem])).not.toEqual([]);
    expect(leaked(rows, [reader.keyPem, admin.keyPem])).toEqual([]);
    expect(rows).not.toContain("PRIVATE KEY");
    expect(rows).not.toContain(Buffer.from("PRIVATE KEY").toString("hex"));

    const opened = await openCredential(database.db, "edge-reader", { secretKey });
    expect(opened.keyPem).toBe(reader.keyPem);
    expect(opened.roles).toEqual(["os:reader"]);
    expect(opened.endpoints).toEqual(["10.0.0.1:50000", "10.0.0.2:50001"]);
  });

  it("seals each key to its credential: a key copied onto another row does not open", async () => {
    await importText(renderTalosconfig([reader, admin]));
    const { db } = database;
    const a = await db.talosCredential.findUniqueOrThrow({ where: { name: "edge-admin" } });
    await db.talosCredential.update({ where: { name: "edge-reader" }, data: { keySealed: a.keySealed } });
    await expect(openCredential(db, "edge-reader", { secretKey })).rejects.toThrow(/integrity check/);
  });

  it("refuses bad YAML", async () => {
    expect(await refusal("context: [unclosed\ncontexts: {")).toMatch(/not valid YAML/);
  });

  it("refuses an oversized file before reading it", async () => {
    const big = `${renderTalosconfig([reader])}# ${"x".repeat(300 * 1024)}\n`;
    expect(await refusal(big)).toMatch(/is 30\d KiB; a talosconfig may be at most 256 KiB/);
  });

  it("refuses an empty file", async () => {
    expect(await refusal("   \n")).toMatch(/empty/);
  });

  it("refuses the whole file when one context has an expired certificate, naming it", async () => {
    const expired = await talosContext(ca, "old", {
      role: "os:admin",
      notBefore: new Date(Date.now() - 400 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(await refusal(renderTalosconfig([reader, expired]))).toMatch(
      /Context "old": the client certificate expired on/,
    );
  });

  it("refuses a certificate for the wrong purpose (extended key usage)", async () => {
    const pair = await issueClientCert(ca, { role: "os:admin", extKeyUsage: [EKU_SERVER_AUTH] });
    const wrong = { ...reader, name: "server-cert", ...pair };
    expect(await refusal(renderTalosconfig([wrong, operator]))).toMatch(
      /Context "server-cert": the client certificate's extended key usage must be exactly client authentication/,
    );
  });

  it("refuses a key that does not belong to the certificate", async () => {
    const mismatched = { ...operator, name: "mixed", keyPem: admin.keyPem };
    expect(await refusal(renderTalosconfig([reader, mismatched]))).toMatch(
      /Context "mixed": `key` does not belong to the certificate/,
    );
  });

  it("refuses a certificate with no Talos role", async () => {
    const none = await talosContext(ca, "no-role", { organizations: ["acme"] });
    expect(await refusal(renderTalosconfig([none]))).toMatch(/Context "no-role": .*carries no Talos role/);
  });

  it("refuses a name that is taken, and imports none of the file", async () => {
    await importText(renderTalosconfig([reader]));
    const again = await talosContext(ca, "edge-reader", { role: "os:reader" });
    expect(await refusal(renderTalosconfig([operator, again]))).toMatch(
      /A credential named "edge-reader" already exists, so nothing was imported\. Use Replace/,
    );
    expect((await listCredentials(database.db)).map((c) => c.name)).toEqual(["edge-reader"]);
  });

  it("imports nothing from any refused file", async () => {
    const expired = await talosContext(ca, "old", {
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    for (const text of [
      "contexts: [",
      renderTalosconfig([reader, expired]),
      renderTalosconfig([{ ...operator, keyPem: admin.keyPem }]),
    ]) {
      await refusal(text);
    }
    expect(await database.db.talosCredential.count()).toBe(0);
  });
});

describe("replacing and removing", () => {
  it("replaces a credential's material under the same name, re-sealed", async () => {
    await importText(renderTalosconfig([reader]));
    const renewed = await talosContext(await createCa(), "anything", { role: "os:operator", days: 700 });
    const replaced = await replaceCredential(database.db, {
      name: "edge-reader",
      talosconfig: renderTalosconfig([renewed]),
      secretKey,
    });
    expect(replaced.role).toBe("os:operator");
    const [facts] = await listCredentials(database.db);
    expect(facts?.name).toBe("edge-reader");
    expect(facts?.daysLeft).toBe(699);
    const opened = await openCredential(database.db, "edge-reader", { secretKey });
    expect(opened.keyPem).toBe(renewed.keyPem);
    expect(leaked(await rawRows("talos_credential"), [renewed.keyPem, reader.keyPem])).toEqual([]);
  });

  it("refuses a replacement that is itself bad, keeping the old material", async () => {
    await importText(renderTalosconfig([reader]));
    await expect(
      replaceCredential(database.db, {
        name: "edge-reader",
        talosconfig: renderTalosconfig([{ ...operator, keyPem: admin.keyPem }]),
        secretKey,
      }),
    ).rejects.toThrow(/does not belong to the certificate/);
    expect((await openCredential(database.db, "edge-reader", { secretKey })).keyPem).toBe(reader.keyPem);
  });

  it("asks which context to use when a file has several and none of that name", async () => {
    await importText(renderTalosconfig([reader]));
    await expect(
      replaceCredential(database.db, {
        name: "edge-reader",
        talosconfig: renderTalosconfig([operator, admin]),
        secretKey,
      }),
    ).rejects.toThrow(/none is named "edge-reader"/);
  });

  it("removes a credential, unlinking the clusters that used it", async () => {
    await importText(renderTalosconfig([reader]));
    const cred = await database.db.talosCredential.findUniqueOrThrow({ where: { name: "edge-reader" } });
    await database.db.cluster.create({ data: { name: "edge", endpoints: [], credentialId: cred.id } });
    expect(await removeCredential(database.db, "edge-reader")).toEqual({
      unlinkedClusters: ["edge"],
      removedClusters: [],
    });
    expect(await database.db.talosCredential.count()).toBe(0);
    expect(
      (await database.db.cluster.findUniqueOrThrow({ where: { name: "edge" } })).credentialId,
    ).toBeNull();
    await expect(removeCredential(database.db, "edge-reader")).rejects.toThrow(/no credential named/);
    await database.db.cluster.deleteMany();
  });
});
