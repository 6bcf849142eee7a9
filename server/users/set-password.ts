// Sets a user's password (a reset by an administrator, or the user's own change), ends their other
// sessions, and lifts a lockout.
import { assertPasswordPolicy, hashPassword, verifyPassword } from "../auth/password";
import type { PrismaClient } from "../db/client";
import { AppError } from "../errors";

export async function setPassword(
  db: PrismaClient,
  input: { username: string; newPassword: string; currentPassword?: string; keepSessionId?: string },
): Promise<void> {
  const user = await db.user.findUnique({ where: { username: input.username } });
  if (!user) throw new AppError("NOT_FOUND", { userMessage: `There is no user named "${input.username}".` });
  if (input.currentPassword !== undefined) {
    const ok = user.passwordHash ? await verifyPassword(user.passwordHash, input.currentPassword) : false;
    if (!ok) throw new AppError("BAD_REQUEST", { userMessage: "The current password is not right." });
  }
  assertPasswordPolicy(input.newPassword, user.username);
  await db.$transaction([
    db.user.update({
      where: { id: user.id },
      data: {
        passwordHash: await hashPassword(input.newPassword),
        passwordChangedAt: new Date(),
      },
    }),
    db.loginFailure.deleteMany({ where: { username: user.username } }),
    db.session.deleteMany({
      where: { userId: user.id, ...(input.keepSessionId ? { id: { not: input.keepSessionId } } : {}) },
    }),
  ]);
}
