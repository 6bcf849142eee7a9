// Applies pending migrations at start, with the same bookkeeping as `prisma migrate deploy`
// (the _prisma_migrations table, sha256 checksums, Prisma's advisory lock), so either path can be
// used on one database. Each migration runs whole in one transaction: the schema engine's own
// apply path splits scripts on every ";" and so breaks on function bodies.
import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { migrationNames, migrationsDir } from "./migrations-dir";

/** The advisory lock key Prisma's schema engine takes while migrating. */
const PRISMA_MIGRATE_LOCK = 72707369;

export interface MigrateResult {
  applied: string[];
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function applyMigrations(databaseUrl: string, dir = migrationsDir): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "minos-migrate" });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `Migration ${failed.migration_name} failed earlier and was never finished. Repair the database, ` +
          `then mark it with \`prisma migrate resolve\` before starting Minos again.`,
      );
    }
    const done = new Set(rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
    const applied: string[] = [];
    for (const name of await migrationNames(dir)) {
      if (done.has(name)) continue;
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      try {
        await client.query("BEGIN");
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new MigrationError(`Migration ${name} could not be applied: ${(err as Error).message}`);
      }
      applied.push(name);
    }
    return { applied };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]).catch(() => {});
    await client.end();
  }
}

/** Names of migrations on disk that the database has not finished applying. */
export async function pendingMigrations(
  client: pg.ClientBase | pg.Pool,
  dir = migrationsDir,
): Promise<string[]> {
  const { rows } = await client
    .query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    )
    .catch(() => ({ rows: [] as { migration_name: string }[] }));
  const done = new Set(rows.map((r) => r.migration_name));
  return (await migrationNames(dir)).filter((n) => !done.has(n));
}
