// The CLI's way to the same database as the app: DATABASE_URL; else the embedded Postgres of the
// Minos running on this data directory; else the embedded Postgres started just for the command.
import pino from "pino";
import { createDb, type PrismaClient } from "../platform/db/client";
import { applyMigrations } from "../platform/db/migrate";
import type { Env } from "../platform/env";
import { DataDirLockedError, lockDataDir } from "../platform/runtime/data-dir-lock";
import { runningEmbeddedUrl, startEmbeddedPostgres } from "../platform/runtime/embedded-postgres";

export interface OpenDatabase {
  db: PrismaClient;
  /** Migrations this command applied (only when it started the embedded Postgres itself). */
  applied: string[];
  close(): Promise<void>;
}

export async function openDatabase(config: Env): Promise<OpenDatabase> {
  if (config.DATABASE_URL) {
    const db = createDb(config.DATABASE_URL);
    return { db, applied: [], close: () => db.$disconnect() };
  }
  let release: (() => Promise<void>) | null = null;
  try {
    release = await lockDataDir(config.dataDir);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    const url = await runningEmbeddedUrl(config.dataDir);
    if (!url) throw new Error("Minos is starting on this data directory; try again in a few seconds.");
    const db = createDb(url);
    return { db, applied: [], close: () => db.$disconnect() };
  }
  const pg = await startEmbeddedPostgres(config.dataDir, pino({ level: "warn" }));
  const { applied } = await applyMigrations(pg.url);
  const db = createDb(pg.url);
  return {
    db,
    applied,
    close: async () => {
      await db.$disconnect();
      await pg.stop();
      await release?.();
    },
  };
}
