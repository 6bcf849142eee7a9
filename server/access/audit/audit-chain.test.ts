import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { testSecretKey } from "../../testing/secret-key";
import { signAuditHead } from "./audit-head";
import { pruneAudit } from "./prune-audit";
import { recordAudit } from "./record-audit";
import { verifyAuditChain } from "./verify-audit-chain";

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
  for (let i = 0; i < 5; i++) {
    await recordAudit(database.db, {
      actor: "admin",
      action: "users.create",
      target: `user:u${i}`,
      address: "127.0.0.1",
      result: "ok",
      details: { z: 1, a: { nested: [i, "x"] } },
    });
  }
});
afterEach(() => database.drop());

/** What an attacker with database access would do: bypass the append-only trigger. */
async function tamper(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  await c.query("ALTER TABLE audit_entry DISABLE TRIGGER USER");
  await c.query(sql);
  await c.query("ALTER TABLE audit_entry ENABLE TRIGGER USER");
  await c.end();
}

describe("the audit hash chain", () => {
  it("verifies an untouched trail, including jsonb-reordered details", async () => {
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 5 });
  });

  it("detects an altered entry", async () => {
    await tamper(
      `UPDATE audit_entry SET target = 'user:mallory' WHERE id = (SELECT min(id) + 2 FROM audit_entry)`,
    );
    const v = await verifyAuditChain(database.db);
    expect(v).toMatchObject({ ok: false, reason: "altered", entries: 2 });
  });

  it("detects a removed entry", async () => {
    await tamper(`DELETE FROM audit_entry WHERE id = (SELECT min(id) + 1 FROM audit_entry)`);
    expect(await verifyAuditChain(database.db)).toMatchObject({
      ok: false,
      reason: "link broken",
      entries: 1,
    });
  });

  it("stays linear when many appends race", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit(database.db, { actor: "x", action: "race", result: "ok", details: { i } }),
      ),
    );
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 25 });
  });
});

describe("audit retention", () => {
  it("removes old entries, keeps the chain verifiable from its recorded anchor, and refuses other deletes", async () => {
    const { db } = database;
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    // Age the first three entries (bypassing the trigger, as only a test may).
    await c.query("ALTER TABLE audit_entry DISABLE TRIGGER USER");
    await c.query(
      "UPDATE audit_entry SET at = now() - interval '40 days' WHERE id <= (SELECT min(id) + 2 FROM audit_entry)",
    );
    await c.query("ALTER TABLE audit_entry ENABLE TRIGGER USER");
    await c.end();
    // Re-hash the aged entries so the chain is intact before pruning.
    const rows = await db.auditEntry.findMany({ orderBy: { id: "asc" } });
    const { entryHash } = await import("./entry-hash");
    let prev = "";
    const c2 = new pg.Client({ connectionString: database.url });
    await c2.connect();
    await c2.query("ALTER TABLE audit_entry DISABLE TRIGGER USER");
    for (const r of rows) {
      const hash = entryHash(prev, r);
      await c2.query("UPDATE audit_entry SET prev_hash = $1, hash = $2 WHERE id = $3", [
        prev,
        hash,
        r.id.toString(),
      ]);
      prev = hash;
    }
    await c2.query("ALTER TABLE audit_entry ENABLE TRIGGER USER");
    await c2.end();
    await db.$transaction((tx) =>
      signAuditHead(tx, testSecretKey(), { id: rows.at(-1)?.id ?? 0n, hash: prev }),
    );
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: 5 });

    expect(await pruneAudit(db, { olderThanDays: 30 })).toEqual({ removed: 3 });
    expect(await db.auditEntry.count()).toBe(3); // two kept + the prune entry
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: 3 });
    const prune = await db.auditEntry.findFirstOrThrow({ where: { action: "audit.prune" } });
    expect(prune.details).toMatchObject({ removed: 3, olderThanDays: 30 });
    await expect(db.auditEntry.deleteMany({})).rejects.toThrow(/older than a day/);
  });
});
