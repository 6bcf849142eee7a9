// Lists users with their grants; never password hashes.
import type { PrismaClient } from "../db/client";

export async function listUsers(db: PrismaClient) {
  return db.user.findMany({
    orderBy: { username: "asc" },
    select: {
      id: true,
      username: true,
      displayName: true,
      disabled: true,
      lastLoginAt: true,
      lockedUntil: true,
      oidcSubject: true,
      createdAt: true,
      grants: { select: { role: true, scope: true, source: true }, orderBy: { role: "asc" } },
    },
  });
}
