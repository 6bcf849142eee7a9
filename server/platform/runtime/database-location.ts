// Where a data directory's embedded database files live: in its "postgres" folder, or (run as root,
// with a data directory the postgres user cannot reach) in a folder of its own under a system
// directory, named in the data directory's postgres.location so the same data directory finds it again.
import { createHash, randomBytes } from "node:crypto";
import { access, chmod, readFile, realpath, rm, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { EmbeddedPostgresError } from "./embedded-postgres-error";
import { canReach, type PostgresUser } from "./postgres-user";
import { rootDirectory, systemDirectory } from "./system-directory";

/** In the data directory: the path of its database files when they are kept elsewhere. */
export const LOCATION_FILE = "postgres.location";
/** In a folder under the system directory: the data directory whose database it holds. */
export const OWNER_FILE = "data-directory";

export interface DatabaseLocation {
  databaseDir: string;
  /** One sentence for the log when the files are not in the data directory; null when they are. */
  elsewhere: string | null;
}

/** A folder name of its own for each data directory, readable by people, the same at every start. */
export function folderName(realDataDir: string): string {
  const hash = createHash("sha256").update(realDataDir).digest("hex").slice(0, 12);
  const readable = realDataDir
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .slice(-48)
    .replace(/^-+/, "");
  return [readable, hash].filter(Boolean).join("-");
}

async function hasData(databaseDir: string): Promise<boolean> {
  return access(path.join(databaseDir, "PG_VERSION")).then(
    () => true,
    () => false,
  );
}

async function recordedLocation(dataDir: string): Promise<string | null> {
  const text = await readFile(path.join(dataDir, LOCATION_FILE), "utf8").catch(() => "");
  const recorded = text.trim();
  return path.isAbsolute(recorded) ? recorded : null;
}

async function ownerOf(home: string): Promise<string | null> {
  const text = await readFile(path.join(home, OWNER_FILE), "utf8").catch(() => "");
  return text.trim() || null;
}

/**
 * Lets the postgres user pass through the data directory itself when it can reach its parent; the
 * parents are the user's own (root's home, say) and are never loosened.
 */
async function letPostgresUserThrough(dataDir: string, user: PostgresUser, log: Logger): Promise<boolean> {
  if (!(await canReach(user, path.dirname(await realpath(dataDir)), "directory"))) return false;
  const { mode } = await stat(dataDir);
  if ((mode & 0o001) === 0) {
    await chmod(dataDir, (mode & 0o777) | 0o001);
    log.debug({ dataDir }, "allowed the postgres user to traverse the data directory");
  }
  return canReach(user, dataDir, "directory");
}

/**
 * A recorded folder whose owner is another data directory: this one was moved (the other is gone
 * or names other files: take the folder over) or copied (the other still names it: refuse, since
 * two Minos on one database would overwrite each other's state).
 */
async function claim(recorded: string, dataDir: string, realDataDir: string, log: Logger): Promise<void> {
  const home = path.dirname(recorded);
  const owner = await ownerOf(home);
  if (owner === realDataDir) return;
  if (owner && (await recordedLocation(owner)) === recorded) {
    throw new EmbeddedPostgresError(
      `The data directory ${dataDir} names the database files in ${recorded} (in its ${LOCATION_FILE}), ` +
        `but they belong to the data directory ${owner}, which still names them: remove ${LOCATION_FILE} ` +
        `from ${dataDir} to start it with a database of its own, or set MINOS_DATA_DIR to ${owner}.`,
    );
  }
  await writeFile(path.join(home, OWNER_FILE), `${realDataDir}\n`, { mode: 0o644 });
  log.info(
    { databaseDir: recorded, dataDir, previously: owner },
    "the database files now belong to the moved data directory",
  );
}

/** Where the database files of `dataDir` are or go; `user` is the postgres user when run as root. */
export async function locateDatabase(
  dataDir: string,
  user: PostgresUser | null,
  systemDirs: readonly string[],
  log: Logger,
): Promise<DatabaseLocation> {
  const inPlace = path.join(dataDir, "postgres");
  if (!user) return { databaseDir: inPlace, elsewhere: null };
  const reachable = await letPostgresUserThrough(dataDir, user, log);
  if (await hasData(inPlace)) {
    if (reachable) return { databaseDir: inPlace, elsewhere: null };
    // Never moved behind the operator's back: moving a database is theirs to decide.
    throw new EmbeddedPostgresError(
      `The postgres user, which runs the embedded Postgres when Minos runs as root, cannot reach the ` +
        `database files in ${inPlace} because a parent directory of ${dataDir} is private: with Minos ` +
        "stopped, move the data directory to a place the postgres user can reach and set MINOS_DATA_DIR to it.",
    );
  }

  const realDataDir = await realpath(dataDir);
  const recorded = await recordedLocation(dataDir);
  if (recorded && (await hasData(recorded))) {
    if (!(await canReach(user, path.dirname(recorded), "directory"))) {
      throw new EmbeddedPostgresError(
        `The postgres user, which runs the embedded Postgres when Minos runs as root, cannot reach the ` +
          `database files in ${recorded} (named in ${path.join(dataDir, LOCATION_FILE)}): let it pass ` +
          `through ${path.dirname(recorded)} and its parents again (chmod o+x).`,
      );
    }
    await claim(recorded, dataDir, realDataDir, log);
    return {
      databaseDir: recorded,
      elsewhere: `The database files of ${dataDir} are in ${recorded} (named in its ${LOCATION_FILE}), where the postgres user can reach them.`,
    };
  }
  if (reachable) {
    if (recorded) await rm(path.join(dataDir, LOCATION_FILE), { force: true }); // names no data
    return { databaseDir: inPlace, elsewhere: null };
  }

  let base: string;
  try {
    base = await systemDirectory(user, systemDirs);
  } catch (err) {
    throw new EmbeddedPostgresError(
      `The postgres user, which runs the embedded Postgres when Minos runs as root, cannot reach the data ` +
        `directory ${dataDir} (a parent directory is private), and no place for the database files could ` +
        `be set up instead (${(err as Error).message}): set MINOS_DATA_DIR to a directory the postgres ` +
        "user can reach, or DATABASE_URL to an external Postgres.",
    );
  }
  let home = path.join(base, folderName(realDataDir));
  const owner = await ownerOf(home);
  // The folder of a data directory that once was at this path and has moved on: not ours to reuse.
  if (owner && owner !== realDataDir) home = `${home}-${randomBytes(3).toString("hex")}`;
  await rootDirectory(home);
  await writeFile(path.join(home, OWNER_FILE), `${realDataDir}\n`, { mode: 0o644 });
  const databaseDir = path.join(home, "postgres");
  await writeFile(path.join(dataDir, LOCATION_FILE), `${databaseDir}\n`, { mode: 0o644 });
  // An empty folder left by an earlier start that failed on it; never one with files in it.
  await rmdir(inPlace).catch(() => {});
  return {
    databaseDir,
    elsewhere:
      `The postgres user cannot reach the data directory ${dataDir} (a parent directory is private), ` +
      `so the database files are in ${databaseDir}.`,
  };
}
