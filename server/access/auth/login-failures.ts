// Failed sign-ins per user name and address. An attempt is counted before its password is checked, in
// one statement (a row lock orders parallel attempts), so N parallel guesses count N and only the first
// `max` of them are checked at all. Names that are no account are counted alike (the answer never tells
// whether a user exists), and a lock holds for one address only: nobody can lock a user out from
// elsewhere. The per-address rate limit in login.ts bounds guessing across names.
import type { PrismaClient } from "../../platform/db/client";

export interface Attempt {
  /** Locked out now: the password must not be checked. */
  lockedUntil: Date | null;
  /** This attempt's number since the last success or lock (1 = the first). */
  number: number;
}

/** Counts an attempt of `username` from `address`, unless that pair is locked now. */
export async function countAttempt(db: PrismaClient, username: string, address: string): Promise<Attempt> {
  const rows = await db.$queryRaw<Array<{ failures: number; locked_until: Date | null }>>`
    INSERT INTO login_failure AS f (username, address, failures, updated_at)
    VALUES (${username}, ${address}, 1, now())
    ON CONFLICT (username, address) DO UPDATE SET
      failures = CASE WHEN f.locked_until > now() THEN f.failures
                      WHEN f.locked_until IS NOT NULL THEN 1
                      ELSE f.failures + 1 END,
      locked_until = CASE WHEN f.locked_until > now() THEN f.locked_until END,
      updated_at = now()
    RETURNING failures, locked_until`;
  const row = rows[0];
  const locked = row?.locked_until && row.locked_until.getTime() > Date.now() ? row.locked_until : null;
  return { lockedUntil: locked, number: row?.failures ?? 1 };
}

/** After a wrong password: locks the pair when it has used up its attempts; returns until when it is locked. */
export async function failedAttempt(
  db: PrismaClient,
  username: string,
  address: string,
  opts: { max: number; lockMinutes: number },
): Promise<Date | null> {
  const rows = await db.$queryRaw<Array<{ locked_until: Date | null }>>`
    UPDATE login_failure SET failures = 0, updated_at = now(),
      locked_until = now() + make_interval(mins => ${opts.lockMinutes}::int)
    WHERE username = ${username} AND address = ${address} AND failures >= ${opts.max}::int
      AND (locked_until IS NULL OR locked_until <= now())
    RETURNING locked_until`;
  if (rows[0]) return rows[0].locked_until;
  // Locked already (by a parallel attempt), or not yet at the limit.
  const row = await db.loginFailure.findUnique({
    where: { username_address: { username, address } },
    select: { lockedUntil: true },
  });
  return row?.lockedUntil && row.lockedUntil.getTime() > Date.now() ? row.lockedUntil : null;
}

/** After the right password: the pair starts afresh. */
export async function clearAttempts(db: PrismaClient, username: string, address: string): Promise<void> {
  await db.loginFailure.deleteMany({ where: { username, address } });
}

/** Forgets pairs untouched for a day (their locks long over). */
export async function pruneAttempts(db: PrismaClient): Promise<number> {
  const { count } = await db.loginFailure.deleteMany({
    where: { updatedAt: { lt: new Date(Date.now() - 86_400_000) } },
  });
  return count;
}

/** Until when each of these users is locked out from at least one address (for the users list). */
export async function lockedUsers(db: PrismaClient, usernames: string[]): Promise<Map<string, Date>> {
  const rows = await db.loginFailure.findMany({
    where: { username: { in: usernames }, lockedUntil: { gt: new Date() } },
    select: { username: true, lockedUntil: true },
  });
  const out = new Map<string, Date>();
  for (const r of rows) {
    const until = r.lockedUntil as Date;
    const known = out.get(r.username);
    if (!known || until > known) out.set(r.username, until);
  }
  return out;
}
