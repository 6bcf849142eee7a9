import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
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
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: 5 });
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
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: 25 });
  });
});
