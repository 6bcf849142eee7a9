// Minos as a role of its own: it does its audit work (append, verify, retention) and nothing an
// attacker holding its connection would want: no switching triggers off, no changing or truncating
// audit entries, no touching the migration history.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneAudit } from "../../access/audit/prune-audit";
import { recordAudit } from "../../access/audit/record-audit";
import { resealAuditHead } from "../../access/audit/reseal-audit-head";
import { verifyAuditChain } from "../../access/audit/verify-audit-chain";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { testSecretKey } from "../../testing/secret-key";
import { createDb, type PrismaClient } from "./client";
import { ensureRuntimeRole, grantRuntimeRole, rolePowers } from "./runtime-role";

let database: TestDatabase;
let role: string;
let roleUrl: string;
let asRole: PrismaClient;

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  role = `minos_rt_${randomBytes(4).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  await ensureRuntimeRole(database.url, role, password);
  await grantRuntimeRole(database.url, role);
  const u = new URL(database.url);
  u.username = role;
  u.password = password;
  roleUrl = u.toString();
  asRole = createDb(roleUrl);
});

afterAll(async () => {
  await asRole.$disconnect();
  await database.drop();
  await query(database.url.replace(/\/[^/]+$/, "/postgres"), `DROP ROLE IF EXISTS ${role}`);
});

describe("the runtime role", () => {
  it("is neither a superuser nor the tables' owner, unlike the role that migrated", async () => {
    expect(await rolePowers(roleUrl)).toEqual({ role, superuser: false, ownsAuditTrail: false });
    expect(await rolePowers(database.url)).toMatchObject({ superuser: true });
  });

  it("appends to the audit trail and keeps its signed head", async () => {
    for (let i = 0; i < 3; i++)
      await recordAudit(asRole, { actor: "admin", action: "users.create", result: "ok" });
    expect(await verifyAuditChain(asRole)).toMatchObject({ ok: true, entries: 3 });
  });

  it("cannot switch the audit triggers off, change, truncate or cut audit entries", async () => {
    await expect(query(roleUrl, "ALTER TABLE audit_entry DISABLE TRIGGER USER")).rejects.toThrow(
      /must be owner/,
    );
    await expect(query(roleUrl, "UPDATE audit_entry SET actor = 'mallory'")).rejects.toThrow(
      /permission denied/,
    );
    await expect(query(roleUrl, "TRUNCATE audit_entry")).rejects.toThrow(/permission denied/);
    await expect(query(roleUrl, "DELETE FROM audit_entry")).rejects.toThrow(/older than a day/);
    await expect(query(roleUrl, `DELETE FROM "_prisma_migrations"`)).rejects.toThrow(/permission denied/);
    await expect(query(roleUrl, "ALTER TABLE machine ADD COLUMN x int")).rejects.toThrow(/must be owner/);
    expect(await verifyAuditChain(asRole)).toMatchObject({ ok: true });
  });

  it("prunes what retention allows", async () => {
    await query(
      database.url,
      "BEGIN; ALTER TABLE audit_entry DISABLE TRIGGER USER; UPDATE audit_entry SET at = now() - interval '40 days'; ALTER TABLE audit_entry ENABLE TRIGGER USER; COMMIT;",
    );
    // Ageing changed what the hashes cover: start the chain over from here, as a restored trail would.
    await query(database.url, "DELETE FROM audit_head");
    await expect(pruneAudit(asRole, { olderThanDays: 30 })).resolves.toEqual({ removed: 3 });
    await resealAuditHead(asRole, testSecretKey(), { actor: "test", reason: "aged in the test" });
    expect(await asRole.auditEntry.findMany({ select: { action: true }, orderBy: { id: "asc" } })).toEqual([
      { action: "audit.prune" },
      { action: "audit.resealHead" },
    ]);
  });
});
