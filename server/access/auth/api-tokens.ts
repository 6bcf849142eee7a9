// API tokens for automation: shown once, stored hashed, expiring, revocable, acting with one role
// no higher than their creator's and within the creator's scope.

import { ADMIN_SCOPE_REFUSED, grantAllowed } from "../../model/admin-scope";
import { AppError } from "../../model/errors";
import { type Role, roleCovers } from "../../model/permissions";
import type { Grant, Principal } from "../../model/principal";
import type { PrismaClient } from "../../platform/db/client";
import { API_TOKEN_PREFIX, hashSecret, newApiToken } from "./tokens";

export const MAX_TOKEN_DAYS = 365;

export interface CreateApiTokenInput {
  ownerId: string;
  name: string;
  role: Role;
  scope: string;
  expiresInDays: number;
  /** Who creates it: their grants bound the token's role and scope; "cli" for the installation's operator. */
  creator: Principal | "cli";
}

/** Whether the creator's grants allow handing out this role in this scope. */
export function mayDelegate(grants: Grant[], role: Role, scope: string): boolean {
  return grants.some((g) => roleCovers(g.role, role) && (g.scope === "" || g.scope === scope));
}

export async function createApiToken(
  db: PrismaClient,
  input: CreateApiTokenInput,
): Promise<{ token: string; id: string; expiresAt: Date }> {
  if (input.expiresInDays < 1 || input.expiresInDays > MAX_TOKEN_DAYS) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `A token must expire within 1 to ${MAX_TOKEN_DAYS} days.`,
    });
  }
  if (!grantAllowed(input)) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `A token cannot be admin in a scope: ${ADMIN_SCOPE_REFUSED}.`,
    });
  }
  const owner = await db.user.findUnique({ where: { id: input.ownerId }, include: { grants: true } });
  if (!owner) throw new AppError("NOT_FOUND", { userMessage: "That user does not exist." });
  // The token can never exceed its owner either, whoever creates it.
  if (!mayDelegate(owner.grants, input.role, input.scope)) {
    const scopes = [
      ...new Set(
        owner.grants.filter((g) => roleCovers(g.role, input.role)).map((g) => g.scope || "the whole fleet"),
      ),
    ];
    throw new AppError("FORBIDDEN", {
      userMessage:
        scopes.length > 0
          ? `${owner.username} holds ${input.role} only in ${scopes.join(", ")}: give the token one of those scopes.`
          : `${owner.username} does not hold the ${input.role} role, so a token of theirs cannot.`,
    });
  }
  if (input.creator !== "cli" && !mayDelegate(input.creator.grants, input.role, input.scope)) {
    throw new AppError("FORBIDDEN", {
      userMessage: `You can only create tokens with a role no higher than your own (you do not hold ${input.role}${input.scope ? ` in ${input.scope}` : ""}).`,
    });
  }
  const token = newApiToken();
  const expiresAt = new Date(Date.now() + input.expiresInDays * 86_400_000);
  try {
    const row = await db.apiToken.create({
      data: {
        name: input.name,
        prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
        tokenHash: hashSecret(token),
        ownerId: owner.id,
        createdBy: input.creator === "cli" ? "cli" : input.creator.username,
        role: input.role,
        scope: input.scope,
        expiresAt,
      },
    });
    return { token, id: row.id, expiresAt };
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") {
      throw new AppError("CONFLICT", {
        userMessage: `${owner.username} already has a token named "${input.name}".`,
      });
    }
    throw err;
  }
}

/** The principal a bearer token acts as, or null when unknown, expired, revoked or its owner disabled. */
export async function resolveApiToken(db: PrismaClient, token: string): Promise<Principal | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashSecret(token) },
    include: { owner: { include: { grants: { select: { role: true, scope: true } } } } },
  });
  if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now() || row.owner.disabled) return null;
  // A token never outlives its owner's roles: if the owner lost the role (e.g. removed from an SSO
  // group), the token stops working with it.
  if (!mayDelegate(row.owner.grants, row.role, row.scope)) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return {
    kind: "token",
    userId: row.ownerId,
    username: row.owner.username,
    tokenId: row.id,
    grants: [{ role: row.role, scope: row.scope }],
  };
}
