// The credentials API: administrators only, and no private key in any answer, log line or audit entry.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import pino from "pino";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderTalosconfig, type TalosconfigContext } from "@/sim";
import type { Role } from "../../model/permissions";
import { setInstanceSecretKey } from "../../platform/secrets/instance-key";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { createCa, leaked, talosContext } from "../../testing/talosconfig-contexts";
import { createCaller } from "../app-router";
import { createContextInner } from "../trpc/context";

let database: TestDatabase;
let reader: TalosconfigContext;
let admin: TalosconfigContext;
let renewed: TalosconfigContext;
/** Everything the procedures log, at every level. */
const logLines: string[] = [];
const log = pino(
  { level: "trace" },
  new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
);

beforeAll(async () => {
  setInstanceSecretKey(
    await loadSecretKey({ dataDir: await mkdtemp(path.join(os.tmpdir(), "minos-cred-")) }),
  );
  database = await createTestDatabase(); // its audit head signed with that key
  const ca = await createCa();
  [reader, admin, renewed] = await Promise.all([
    talosContext(ca, "edge-reader", { role: "os:reader" }),
    talosContext(ca, "edge-admin", { role: "os:admin", days: 12 }),
    talosContext(ca, "edge-reader", { role: "os:reader", days: 500 }),
  ]);
});
afterAll(() => database.drop());

const callerAs = (role: Role | null) =>
  createCaller(
    createContextInner({
      db: database.db,
      log,
      principal: role ? principalWith(`user-${role}`, role) : null,
      clientAddress: "127.0.0.1",
    }),
  );

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

describe("credentials API", () => {
  it("an administrator imports, lists, replaces and removes; no answer, log or audit entry holds a key", async () => {
    const caller = callerAs("admin");
    const answers: unknown[] = [];
    answers.push(await caller.credentials.import({ talosconfig: renderTalosconfig([reader, admin]) }));
    const list = await caller.credentials.list();
    answers.push(list);
    expect(list.map((c) => [c.name, c.role, c.expiresSoon])).toEqual([
      ["edge-admin", "os:admin", true],
      ["edge-reader", "os:reader", false],
    ]);
    // Only the documented facts: no PEM, no sealed key.
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(
      [
        "certNotAfter",
        "certNotBefore",
        "clusters",
        "createdAt",
        "daysLeft",
        "endpoints",
        "expired",
        "expiresSoon",
        "id",
        "name",
        "role",
        "soleClusters",
        "updatedAt",
      ].sort(),
    );
    answers.push(
      await caller.credentials.replace({ name: "edge-reader", talosconfig: renderTalosconfig([renewed]) }),
    );
    // A refused import whose file holds a key: the message quotes nothing of the file.
    const broken = `${renderTalosconfig([{ ...reader, name: "other" }])}  oops: [unclosed\n`;
    const refusal = await caller.credentials.import({ talosconfig: broken }).catch((e: Error) => e.message);
    expect(refusal).toMatch(/not valid YAML/);
    answers.push(refusal);
    answers.push(await caller.credentials.remove({ name: "edge-admin" }));
    answers.push(await caller.credentials.list());

    const keys = [reader.keyPem, admin.keyPem, renewed.keyPem];
    const wire = answers.map((a) => JSON.stringify(superjson.serialize(a))).join("\n");
    expect(leaked(wire, keys)).toEqual([]);
    expect(wire).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    expect(leaked(logLines.join("\n"), keys)).toEqual([]);
    const audit = await rawRows("audit_entry");
    expect(audit).toContain("credentials.import");
    expect(audit).toContain("credential:edge-reader");
    expect(leaked(audit, keys)).toEqual([]);
    expect(leaked(await rawRows("talos_credential"), keys)).toEqual([]);
  });

  it("explains an oversized upload", async () => {
    const big = `${renderTalosconfig([reader])}# ${"x".repeat(300 * 1024)}\n`;
    await expect(callerAs("admin").credentials.import({ talosconfig: big })).rejects.toThrow(
      /a talosconfig may be at most 256 KiB/,
    );
    const huge = "x".repeat(1100 * 1024);
    await expect(callerAs("admin").credentials.import({ talosconfig: huge })).rejects.toThrow(
      /must be at most 256 KiB/,
    );
  });

  it("refuses every procedure to everyone but administrators, and changes nothing", async () => {
    const before = await database.db.talosCredential.findMany({ orderBy: { name: "asc" } });
    const text = renderTalosconfig([admin]);
    for (const role of [null, "viewer", "operator", "approver"] as const) {
      const c = callerAs(role).credentials;
      const attempts = [
        () => c.list(),
        () => c.import({ talosconfig: text }),
        () => c.replace({ name: "edge-reader", talosconfig: text }),
        () => c.remove({ name: "edge-reader" }),
      ];
      for (const attempt of attempts) {
        await expect(attempt()).rejects.toThrow(role ? "This needs the admin role." : "Sign in to continue.");
      }
    }
    expect(await database.db.talosCredential.findMany({ orderBy: { name: "asc" } })).toEqual(before);
    const denied = await database.db.auditEntry.count({
      where: { action: "credentials.remove", result: "denied" },
    });
    expect(denied).toBe(3);
  });
});
