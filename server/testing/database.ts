// A fresh, migrated database per test file, so test files run in parallel without sharing state.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { adoptAuditHead } from "../access/audit/adopt-audit-head";
import { createDb, type PrismaClient } from "../platform/db/client";
import { applyMigrations } from "../platform/db/migrate";
import { closeFleetChanges } from "../platform/fleet-changes";
import { testSecretKey } from "./secret-key";

export interface TestDatabase {
  url: string;
  db: PrismaClient;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates an empty database; `migrate: false` leaves it without tables. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `minos_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const db = createDb(url);
  if (opts.migrate !== false) {
    const { applied } = await applyMigrations(url);
    await adoptAuditHead(db, testSecretKey(), applied);
  }
  return {
    url,
    db,
    async drop() {
      // Listeners this file opened (a test file runs alone in its process): not left reconnecting to a
      // database about to be dropped.
      await closeFleetChanges();
      await db.$disconnect();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
