// The signed head and the retention rules of the audit trail, against what someone with write access
// to the database (but not the secret key) would try: cut the newest entries, append entries of
// their own with a valid hash chain, forge or remove the head, or prune as the retention job does.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations } from "../../platform/db/migrate";
import { migrationsDir } from "../../platform/db/migrations-dir";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { testSecretKey } from "../../testing/secret-key";
import { AUDIT_HEAD_MIGRATION, adoptAuditHead } from "./adopt-audit-head";
import { entryHash } from "./entry-hash";
import { recordAudit } from "./record-audit";
import { resealAuditHead } from "./reseal-audit-head";
import { verifyAuditChain } from "./verify-audit-chain";

let database: TestDatabase;

async function sql(text: string, values: unknown[] = [], url = database.url): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}

/** Deletes as a superuser would, with the append-only triggers switched off. */
const bypassing = (statement: string) =>
  sql(
    `BEGIN; ALTER TABLE audit_entry DISABLE TRIGGER USER; ${statement}; ALTER TABLE audit_entry ENABLE TRIGGER USER; COMMIT;`,
  );

beforeEach(async () => {
  database = await createTestDatabase();
  for (let i = 0; i < 5; i++) {
    await recordAudit(database.db, {
      actor: "admin",
      action: "users.create",
      target: `user:u${i}`,
      result: "ok",
    });
  }
});
afterEach(() => database.drop());

const newestId = async () => (await database.db.auditEntry.findFirstOrThrow({ orderBy: { id: "desc" } })).id;

describe("the audit trail's signed head", () => {
  it("follows every append, so an untouched trail verifies up to its newest entry", async () => {
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: 5, headId: await newestId() });
  });

  it("shows entries removed from the end, which the hash chain alone cannot", async () => {
    const removedFrom = (await newestId()) - 1n;
    await bypassing(`DELETE FROM audit_entry WHERE id >= ${removedFrom}`);
    const v = await verifyAuditChain(database.db);
    expect(v).toMatchObject({ ok: false, reason: "tail removed", entries: 3, brokenAt: removedFrom + 1n });
    expect(v.ok === false && v.message).toMatch(/entries were removed from its end/);
  });

  it("is not moved over a truncation by the next append, so the break stays visible", async () => {
    const cut = await newestId();
    await bypassing(`DELETE FROM audit_entry WHERE id = ${cut}`);
    await recordAudit(database.db, { actor: "admin", action: "users.disable", result: "ok" });
    await recordAudit(database.db, { actor: "admin", action: "users.enable", result: "ok" });
    expect(await verifyAuditChain(database.db)).toMatchObject({
      ok: false,
      reason: "tail removed",
      brokenAt: cut,
    });
    const head = await database.db.auditHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(head.lastId).toBe(cut);
  });

  it("shows entries appended outside Minos even when their hashes chain correctly", async () => {
    const last = await database.db.auditEntry.findFirstOrThrow({ orderBy: { id: "desc" } });
    const forged = {
      at: new Date(Math.floor(Date.now())),
      actor: "admin",
      action: "rollouts.decide",
      target: "rollout:1",
      address: null,
      result: "ok",
      details: {},
    };
    const hash = entryHash(last.hash, forged);
    const { rows } = await sql(
      `INSERT INTO audit_entry (at, actor, action, target, result, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, '{}', $6, $7) RETURNING id`,
      [forged.at, forged.actor, forged.action, forged.target, forged.result, last.hash, hash],
    );
    expect(await verifyAuditChain(database.db)).toMatchObject({
      ok: false,
      reason: "entries after the head",
      brokenAt: BigInt(rows[0].id),
    });
  });

  it("refuses a head moved without the key, and a removed head is not recreated by the next append", async () => {
    const last = await database.db.auditEntry.findFirstOrThrow({ orderBy: { id: "desc" } });
    await sql("UPDATE audit_head SET last_id = $1, last_hash = $2", [last.id - 2n, "f".repeat(64)]);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, reason: "head forged" });

    await sql("DELETE FROM audit_head");
    await recordAudit(database.db, { actor: "admin", action: "users.create", result: "ok" });
    expect(await database.db.auditHead.count()).toBe(0);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, reason: "head missing" });
  });

  it("is signed again by an administrator's reseal, which records the break it closes", async () => {
    const cut = await newestId();
    await bypassing(`DELETE FROM audit_entry WHERE id = ${cut}`);
    const r = await resealAuditHead(database.db, testSecretKey(), {
      actor: "cli",
      reason: "restored from backup",
    });
    expect(r.previousHead).toBe(`signed, naming entry ${cut}`);
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: 5, headId: r.newestId });
    const reseal = await database.db.auditEntry.findFirstOrThrow({ where: { action: "audit.resealHead" } });
    expect(reseal).toMatchObject({ actor: "cli", details: { reason: "restored from backup" } });
  });
});

describe("removing audit entries", () => {
  /** Ages the oldest entries (as time would) and re-chains the trail so it verifies before the test. */
  async function ageOldest(n: number) {
    await bypassing(
      `UPDATE audit_entry SET at = now() - interval '40 days' WHERE id < (SELECT min(id) + ${n} FROM audit_entry)`,
    );
    const rows = await database.db.auditEntry.findMany({ orderBy: { id: "asc" } });
    let prev = "";
    const statements: string[] = [];
    for (const r of rows) {
      const hash = entryHash(prev, r);
      statements.push(`UPDATE audit_entry SET prev_hash = '${prev}', hash = '${hash}' WHERE id = ${r.id}`);
      prev = hash;
    }
    await bypassing(statements.join("; "));
    await resealAuditHead(database.db, testSecretKey(), { actor: "test", reason: "aged" });
  }

  it("is no longer switched on by a session setting", async () => {
    await ageOldest(3);
    await expect(
      sql(
        "BEGIN; SET LOCAL minos.audit_prune = 'on'; DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry); COMMIT;",
      ),
    ).rejects.toThrow(/older than a day/);
  });

  it("takes old entries only with the audit.prune entry recording it, and only oldest first", async () => {
    await ageOldest(3);
    const first = (await database.db.auditEntry.findFirstOrThrow({ orderBy: { id: "asc" } })).id;
    await expect(sql(`DELETE FROM audit_entry WHERE id <= ${first + 2n}`)).rejects.toThrow(
      /together with the audit.prune entry/,
    );
    await expect(sql(`DELETE FROM audit_entry WHERE id = ${first + 1n}`)).rejects.toThrow(/oldest entries/);
    expect(await database.db.auditEntry.count()).toBe(6);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 6 });
  });
});

describe("npm run minos -- audit", () => {
  const run = promisify(execFile);
  const cli = async (args: string[]) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "minos-audit-cli-"));
    try {
      return await run(process.execPath, ["--import", "tsx", "server/cli/main.ts", "audit", ...args], {
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          MINOS_DATA_DIR: dataDir,
          MINOS_SECRET_KEY: testSecretKey().key.toString("base64"),
          LOG_LEVEL: "warn",
        },
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  };

  it("verify fails on a cut trail until reseal-head records why and signs it again", async () => {
    expect((await cli(["verify"])).stdout).toMatch(/^Audit trail intact: 5 entries verified/);
    const cut = await newestId();
    await bypassing(`DELETE FROM audit_entry WHERE id = ${cut}`);
    await expect(cli(["verify"])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`TAMPERED (tail removed): The signed head names entry ${cut}`),
    });
    await expect(cli(["reseal-head"])).rejects.toMatchObject({
      stderr: expect.stringContaining("--reason"),
    });
    const resealed = await cli(["reseal-head", "--reason", "rows lost in a restore"]);
    expect(resealed.stdout).toContain(`the previous head was signed, naming entry ${cut}`);
    expect((await cli(["verify"])).stdout).toMatch(/^Audit trail intact: 5 entries verified/);
  });
});

describe("a trail written before heads existed", () => {
  it("gets its head signed by the process that applies the head migration, and by no later one", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "minos-migrations-"));
    const fresh = await createTestDatabase({ migrate: false });
    try {
      for (const name of await readdir(migrationsDir)) {
        if (name < AUDIT_HEAD_MIGRATION)
          await cp(path.join(migrationsDir, name), path.join(dir, name), { recursive: true });
      }
      await applyMigrations(fresh.url, dir);
      await recordAuditUnsigned(fresh.url);
      const { applied } = await applyMigrations(fresh.url);
      expect(applied).toContain(AUDIT_HEAD_MIGRATION);
      expect(await adoptAuditHead(fresh.db, testSecretKey(), applied)).toBe(true);
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ ok: true, entries: 1 });

      await sql("UPDATE audit_head SET mac = NULL", [], fresh.url);
      expect(
        await adoptAuditHead(fresh.db, testSecretKey(), (await applyMigrations(fresh.url)).applied),
      ).toBe(false);
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ ok: false, reason: "head unsigned" });
    } finally {
      await fresh.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** An entry as the previous version wrote it: chained, no head. */
async function recordAuditUnsigned(url: string) {
  const at = new Date(Math.floor(Date.now()));
  const content = {
    at,
    actor: "admin",
    action: "auth.login",
    target: null,
    address: null,
    result: "ok",
    details: {},
  };
  await sql(
    "INSERT INTO audit_entry (at, actor, action, result, details, prev_hash, hash) VALUES ($1, 'admin', 'auth.login', 'ok', '{}', '', $2)",
    [at, entryHash("", content)],
    url,
  );
}
