// A root-owned place outside the data directory for what the postgres user must reach when the
// data directory or the installation sits under a directory private to root (root's home).
import { chmod, lstat, mkdir } from "node:fs/promises";
import { canReach, type PostgresUser } from "./postgres-user";

/**
 * Tried in order. Both are persistent: /tmp and /var/tmp are not, and a tmp cleaner would remove
 * database files that have not changed for a while.
 */
export const SYSTEM_DIRS: readonly string[] = ["/var/lib/minos", "/srv/minos"];

/**
 * Makes `dir` (mode 0711: the postgres user passes through, nobody else lists it) or checks the one
 * there. It must be a real directory owned and writable only by root: the package chowns the
 * database folder to the postgres user as root, so anyone who could plant a symlink here could
 * have root chown a file of their choosing.
 */
export async function rootDirectory(dir: string, mode = 0o711): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode });
  if (made) await chmod(dir, mode); // the process umask may have taken bits away
  const st = await lstat(dir);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a directory owned by root and writable only by root`);
  }
}

/** The first of `dirs` that can be set up and that the postgres user can pass through. */
export async function systemDirectory(user: PostgresUser, dirs: readonly string[]): Promise<string> {
  const problems: string[] = [];
  for (const dir of dirs) {
    try {
      await rootDirectory(dir);
      if (await canReach(user, dir, "directory")) return dir;
      problems.push(`the postgres user cannot pass through ${dir} or a parent of it`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  throw new Error(problems.join("; "));
}
