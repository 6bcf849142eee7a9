// The "postgres" system user the embedded Postgres runs as when Minos runs as root (Postgres refuses
// to run as root), and what that user can reach on disk.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { EmbeddedPostgresError } from "./embedded-postgres-error";

const run = promisify(execFile);
const NAME = "postgres";

export interface PostgresUser {
  uid: number;
  gid: number;
}

async function lookUp(): Promise<PostgresUser | null> {
  try {
    // `id`, as the embedded-postgres package asks, so Minos and the package agree on the user.
    const [uid, gid] = await Promise.all([run("id", ["-u", NAME]), run("id", ["-g", NAME])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return null;
  }
}

/**
 * The postgres user. On a first start the package would create it only once it initialises the
 * database; Minos creates it up front instead, so that where the database can live is asked of
 * the real user before anything is put on disk.
 */
export async function ensurePostgresUser(): Promise<PostgresUser> {
  const found = await lookUp();
  if (found) return found;
  try {
    await run("groupadd", ["--force", "--system", NAME]);
    await run("useradd", ["--system", "--gid", NAME, NAME]);
  } catch (err) {
    const reason = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw new EmbeddedPostgresError(
      `Run as root, the embedded Postgres runs as the system user "${NAME}", which does not exist and ` +
        `could not be created (${reason}): create it (useradd --system ${NAME}), or set DATABASE_URL ` +
        "to an external Postgres.",
    );
  }
  const created = await lookUp();
  if (!created) throw new EmbeddedPostgresError(`The system user "${NAME}" was created but cannot be found.`);
  return created;
}

const CHECKS = {
  directory: 'test -d "$1" && test -x "$1"',
  program: 'test -f "$1" && test -x "$1"',
} as const;

/**
 * Whether the postgres user can pass through the directory or run the program. The kernel is
 * asked as that user, not mode bits read by root, so ACLs and security modules count too. It is
 * spawned the way the package spawns Postgres (Node's uid/gid, which drops supplementary groups),
 * not with runuser, which would add groups the real Postgres process does not have.
 */
export async function canReach(
  user: PostgresUser,
  target: string,
  kind: keyof typeof CHECKS,
): Promise<boolean> {
  try {
    await run("/bin/sh", ["-c", CHECKS[kind], "sh", target], { uid: user.uid, gid: user.gid, cwd: "/" });
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 1) return false;
    throw err;
  }
}
