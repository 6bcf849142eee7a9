import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { applyMigrations } from "./migrate";
import { migrationNames, migrationsDir } from "./migrations-dir";

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("migrations", () => {
  it("apply to an empty database, and a second run applies nothing", async () => {
    database = await createTestDatabase({ migrate: false });
    const names = await migrationNames();
    expect(names.length).toBeGreaterThan(0);

    const first = await applyMigrations(database.url);
    expect(first.applied).toEqual(names);
    const second = await applyMigrations(database.url);
    expect(second.applied).toEqual([]);

    const tables = await query<{ tablename: string }>(
      database.url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(["_prisma_migrations", "audit_entry", "cluster", "machine", "talos_credential"]),
    );
  });

  it("keep Prisma's bookkeeping, so `prisma migrate deploy` sees them as applied", async () => {
    database = await createTestDatabase();
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      database.url,
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    for (const row of rows) {
      const sql = await readFile(path.join(migrationsDir, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.finished_at).not.toBeNull();
    }
    expect(rows.map((r) => r.migration_name)).toEqual(await migrationNames());
  });

  it("refuse to run over a migration that failed earlier, saying how to repair", async () => {
    database = await createTestDatabase();
    await query(
      database.url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ('x', 'y', '29990101000000_broken', now())`,
    );
    await expect(applyMigrations(database.url)).rejects.toThrow(
      /29990101000000_broken failed earlier.*migrate resolve/,
    );
  });

  it("match the schema: prisma/schema.prisma has no change that no migration captures", async () => {
    const schema = await readFile(path.resolve("prisma", "schema.prisma"), "utf8");
    const snapshot = await readFile(path.join(migrationsDir, "schema.snapshot.prisma"), "utf8");
    expect(snapshot, "run `npm run db:migration -- <name>` to write the missing migration").toBe(schema);
  });
});

describe("audit entries", () => {
  it("are append-only: the database refuses UPDATE, DELETE and TRUNCATE", async () => {
    database = await createTestDatabase();
    const entry = await database.db.auditEntry.create({
      data: { actor: "system", action: "test.write", result: "ok" },
    });
    await expect(
      database.db.auditEntry.update({ where: { id: entry.id }, data: { result: "denied" } }),
    ).rejects.toThrow(/append-only/);
    await expect(database.db.auditEntry.delete({ where: { id: entry.id } })).rejects.toThrow(/append-only/);
    await expect(database.db.$executeRawUnsafe(`TRUNCATE audit_entry`)).rejects.toThrow(/append-only/);
    expect(await database.db.auditEntry.count()).toBe(1);
  });
});
