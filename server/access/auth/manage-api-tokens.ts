// API tokens as people manage them: one's own (anyone signed in), or anyone's (administrators). A token
// that is not the caller's and not theirs to see is not found, as one that does not exist.
import { AppError } from "../../model/errors";
import { can, type Principal } from "../../model/principal";
import type { PrismaClient } from "../../platform/db/client";

const tokenSelect = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  scope: true,
  createdBy: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  owner: { select: { username: true } },
} as const;

/** The caller's tokens, or (`everyone`, administrators) every token; newest first, never the secret. */
export function listApiTokens({
  db,
  principal,
  everyone,
}: {
  db: PrismaClient;
  principal: Principal | null;
  everyone: boolean;
}) {
  const all = everyone && can(principal, "admin.manage");
  return db.apiToken.findMany({
    where: all ? {} : { ownerId: principal?.userId },
    orderBy: { createdAt: "desc" },
    select: tokenSelect,
  });
}

/** Whose a new token is: the caller's own, or (administrators) the named user's. */
export async function tokenOwner({
  db,
  principal,
  forUser,
}: {
  db: PrismaClient;
  principal: Principal;
  forUser?: string;
}): Promise<string> {
  if (!forUser || forUser === principal.username) return principal.userId;
  if (!can(principal, "admin.manage")) {
    throw new AppError("FORBIDDEN", { userMessage: "Only administrators create tokens for other users." });
  }
  const owner = await db.user.findUnique({ where: { username: forUser }, select: { id: true } });
  if (!owner) throw new AppError("NOT_FOUND", { userMessage: `There is no user named "${forUser}".` });
  return owner.id;
}

/** Revokes one of the caller's tokens (or, for administrators, anyone's); returns its name. */
export async function revokeApiToken({
  db,
  principal,
  id,
}: {
  db: PrismaClient;
  principal: Principal | null;
  id: string;
}): Promise<string> {
  const row = await db.apiToken.findUnique({
    where: { id },
    select: { id: true, name: true, ownerId: true, revokedAt: true },
  });
  const mine = row?.ownerId === principal?.userId;
  if (!row || (!mine && !can(principal, "admin.manage"))) {
    throw new AppError("NOT_FOUND", { userMessage: "That token does not exist." });
  }
  await db.apiToken.update({ where: { id: row.id }, data: { revokedAt: row.revokedAt ?? new Date() } });
  return row.name;
}
