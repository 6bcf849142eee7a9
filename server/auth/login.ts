// Password sign-in with lockout: after MINOS_LOGIN_MAX_FAILURES consecutive failures an account
// refuses sign-in for MINOS_LOGIN_LOCKOUT_MINUTES; a per-address limit slows guessing across
// accounts. Every attempt is audited. Failures never say whether the user exists.
import { RateLimiterMemory } from "rate-limiter-flexible";
import { recordAudit } from "../audit/record-audit";
import type { PrismaClient } from "../db/client";
import { env } from "../env";
import { AppError } from "../errors";
import { decoyHash, verifyPassword } from "./password";
import { createSession } from "./sessions";

const perAddress = new RateLimiterMemory({ keyPrefix: "login-address", points: 20, duration: 60 });

export interface LoginInput {
  username: string;
  password: string;
  address: string | null;
  userAgent: string | null;
}

const WRONG = "The user name or password is not right.";

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
    await perAddress.consume(input.address ?? "unknown");
  } catch {
    await audit("denied", "too many attempts from this address");
    throw new AppError("TOO_MANY_REQUESTS", {
      userMessage: "Too many sign-in attempts from your address. Wait a minute, then try again.",
    });
  }

  const { MINOS_LOGIN_MAX_FAILURES: maxFailures, MINOS_LOGIN_LOCKOUT_MINUTES: lockMinutes } = env();
  const user = await db.user.findUnique({ where: { username } });
  if (user?.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
    await audit("denied", "account locked");
    const minutes = Math.ceil((user.lockedUntil.getTime() - Date.now()) / 60_000);
    throw new AppError("TOO_MANY_REQUESTS", {
      userMessage: `This account is locked after repeated failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or ask an administrator to reset the password.`,
    });
  }
  const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
  if (!user?.passwordHash || !ok || user.disabled) {
    if (user && !user.disabled) {
      const failures = user.failedLogins + 1;
      const lock = failures >= maxFailures;
      await db.user.update({
        where: { id: user.id },
        data: {
          failedLogins: lock ? 0 : failures,
          lockedUntil: lock ? new Date(Date.now() + lockMinutes * 60_000) : user.lockedUntil,
        },
      });
      await audit("denied", lock ? `wrong password; locked for ${lockMinutes} minutes` : "wrong password");
    } else {
      await audit("denied", user?.disabled ? "account disabled" : "unknown user or no password");
    }
    throw new AppError("UNAUTHORIZED", { userMessage: WRONG });
  }
  await db.user.update({
    where: { id: user.id },
    data: { failedLogins: 0, lockedUntil: null, lastLoginAt: new Date() },
  });
  await audit("ok");
  return createSession(db, { userId: user.id, address: input.address, userAgent: input.userAgent });
}
