// Password sign-in with lockout: after MINOS_LOGIN_MAX_FAILURES consecutive failures of a user name from
// one address, that address may not sign in as that user for MINOS_LOGIN_LOCKOUT_MINUTES (login-failures.ts);
// a per-address limit slows guessing across names. Every attempt is audited. Neither the answers nor the
// lockout say whether the user exists.
import { RateLimiterMemory } from "rate-limiter-flexible";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { env } from "../../platform/env";
import { recordAudit } from "../audit/record-audit";
import { clearAttempts, countAttempt, failedAttempt } from "./login-failures";
import { decoyHash, verifyPassword } from "./password";
import { RefusalSummary } from "./refusal-summary";
import { createSession } from "./sessions";

/** MINOS_LOGIN_ATTEMPTS_PER_MINUTE per address, across names; made on first use, from the configuration. */
let perAddress: RateLimiterMemory | undefined;
function addressLimiter(): RateLimiterMemory {
  perAddress ??= new RateLimiterMemory({
    keyPrefix: "login-address",
    points: env().MINOS_LOGIN_ATTEMPTS_PER_MINUTE,
    duration: 60,
  });
  return perAddress;
}

/** One summary per database (tests run several). */
const summaries = new WeakMap<PrismaClient, RefusalSummary>();
export function refusalSummary(db: PrismaClient): RefusalSummary {
  let s = summaries.get(db);
  if (!s) {
    s = new RefusalSummary(() => db);
    summaries.set(db, s);
  }
  return s;
}

export interface LoginInput {
  username: string;
  password: string;
  address: string | null;
  userAgent: string | null;
}

const WRONG = "The user name or password is not right.";

function lockedOut(until: Date): AppError {
  const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
  return new AppError("TOO_MANY_REQUESTS", {
    userMessage: `Sign-in as this user from your address is locked after repeated failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or ask an administrator to reset the password.`,
  });
}

export async function login(
  db: PrismaClient,
  input: LoginInput,
): Promise<{ token: string; expiresAt: Date }> {
  const username = input.username.trim().toLowerCase();
  const audit = (result: "ok" | "denied", reason?: string) =>
    recordAudit(db, {
      actor: username || "anonymous",
      action: "auth.login",
      target: `user:${username}`,
      address: input.address,
      result,
      details: reason ? { reason } : {},
    });

  try {
    await addressLimiter().consume(input.address ?? "unknown");
  } catch {
    // Counted, and summarised once a minute per address: a flood writes no flood of rows.
    refusalSummary(db).add(input.address ?? "unknown", username);
    throw new AppError("TOO_MANY_REQUESTS", {
      userMessage: "Too many sign-in attempts from your address. Wait a minute, then try again.",
    });
  }

  const { MINOS_LOGIN_MAX_FAILURES: max, MINOS_LOGIN_LOCKOUT_MINUTES: lockMinutes } = env();
  const address = input.address ?? "unknown";
  // Counted before the password is checked, so parallel guesses cannot slip past the limit.
  const attempt = await countAttempt(db, username, address);
  let lockedUntil = attempt.lockedUntil;
  if (!lockedUntil && attempt.number > max) {
    lockedUntil =
      (await failedAttempt(db, username, address, { max, lockMinutes })) ??
      new Date(Date.now() + lockMinutes * 60_000);
  }
  if (lockedUntil) {
    await audit("denied", "locked out from this address");
    throw lockedOut(lockedUntil);
  }
  const user = await db.user.findUnique({ where: { username } });
  const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
  if (!user?.passwordHash || !ok || user.disabled) {
    // A name that is no account is counted and locked out alike: the answers never tell them apart.
    const locked = await failedAttempt(db, username, address, { max, lockMinutes });
    const why = !user?.passwordHash
      ? "unknown user or no password"
      : user.disabled
        ? "account disabled"
        : "wrong password";
    await audit("denied", locked ? `${why}; locked out from this address for ${lockMinutes} minutes` : why);
    throw new AppError("UNAUTHORIZED", { userMessage: WRONG });
  }
  await clearAttempts(db, username, address);
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await audit("ok");
  return createSession(db, { userId: user.id, address: input.address, userAgent: input.userAgent });
}
