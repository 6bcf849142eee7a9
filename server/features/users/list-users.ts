// Lists users with their grants and whether sign-in is locked out from some address; never password hashes.
import { lockedUsers } from "../../access/auth/login-failures";
import type { PrismaClient } from "../../platform/db/client";

export async function listUsers(db: PrismaClient) {
  const users = await db.user.findMany({
    orderBy: { username: "asc" },
    select: {
      id: true,
      username: true,
      displayName: true,
      disabled: true,
      lastLoginAt: true,
      oidcSubject: true,
      createdAt: true,
      grants: { select: { role: true, scope: true, source: true }, orderBy: { role: "asc" } },
    },
  });
  const locked = await lockedUsers(
    db,
    users.map((u) => u.username),
  );
  return users.map((u) => ({ ...u, lockedUntil: locked.get(u.username) ?? null }));
}
