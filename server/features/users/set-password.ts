// Sets a user's password (a reset by an administrator, or the user's own change), ends their other
// sessions, and lifts a lockout. A reset also revokes the user's API tokens: resetting is what one does
// when an account may be in other hands, and tokens made by those hands must not outlive it. The user's
// own change keeps them (a routine change must not break their scripts).
import { assertPasswordPolicy, hashPassword, verifyPassword } from "../../access/auth/password";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";

export async function setPassword(
  db: PrismaClient,
  input: { username: string; newPassword: string; currentPassword?: string; keepSessionId?: string },
): Promise<{ revokedTokens: number }> {
  const user = await db.user.findUnique({ where: { username: input.username } });
  if (!user) throw new AppError("NOT_FOUND", { userMessage: `There is no user named "${input.username}".` });
  if (input.currentPassword !== undefined) {
    const ok = user.passwordHash ? await verifyPassword(user.passwordHash, input.currentPassword) : false;
    if (!ok) throw new AppError("BAD_REQUEST", { userMessage: "The current password is not right." });
  }
  assertPasswordPolicy(input.newPassword, user.username);
  const reset = input.currentPassword === undefined;
  const passwordHash = await hashPassword(input.newPassword);
  return db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, passwordChangedAt: new Date() } });
    await tx.loginFailure.deleteMany({ where: { username: user.username } });
    await tx.session.deleteMany({
      where: { userId: user.id, ...(input.keepSessionId ? { id: { not: input.keepSessionId } } : {}) },
    });
    const revoked = reset
      ? await tx.apiToken.updateMany({
          where: { ownerId: user.id, revokedAt: null },
          data: { revokedAt: new Date() },
        })
      : { count: 0 };
    return { revokedTokens: revoked.count };
  });
}
