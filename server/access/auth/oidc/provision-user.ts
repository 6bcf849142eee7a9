// Finds or creates the Minos user behind an OIDC identity (issuer + subject) and replaces the grants
// that came from its groups; grants set locally in Minos stay. A new user's name comes from
// preferred_username, with a suffix when a local or another user already has it: an identity
// provider never takes over an existing account by choosing its name.
import { createHash } from "node:crypto";
import type { Grant } from "../../../model/principal";
import type { PrismaClient } from "../../../platform/db/client";

export interface OidcIdentity {
  issuer: string;
  subject: string;
  preferredUsername?: string;
  email?: string;
  name?: string;
}

export type ProvisionResult =
  | { status: "ok"; user: { id: string; username: string }; created: boolean }
  | { status: "no_role"; username: string | null }
  | { status: "disabled"; username: string };

/** A user name Minos accepts (server/features/users/user-schemas.ts) made from what the provider offers. */
export function usernameBase(identity: OidcIdentity): string {
  for (const candidate of [identity.preferredUsername, identity.email, identity.name]) {
    const cleaned = (candidate ?? "")
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "")
      .replace(/-+$/, "")
      .slice(0, 63);
    if (cleaned.length >= 2) return cleaned;
  }
  return `sso-${createHash("sha256").update(identity.subject).digest("hex").slice(0, 10)}`;
}

function withSuffix(base: string, n: number): string {
  if (n === 1) return base;
  const suffix = `-${n}`;
  return `${base.slice(0, 63 - suffix.length)}${suffix}`;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === "P2002";

async function createOidcUser(db: PrismaClient, identity: OidcIdentity) {
  const base = usernameBase(identity);
  for (let n = 1; n <= 50; n++) {
    const username = withSuffix(base, n);
    if (await db.user.findUnique({ where: { username }, select: { id: true } })) continue;
    try {
      return await db.user.create({
        data: {
          username,
          displayName: identity.name ?? identity.preferredUsername ?? "",
          oidcIssuer: identity.issuer,
          oidcSubject: identity.subject,
        },
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Either the name was taken meanwhile (try the next), or a parallel first sign-in of the
      // same identity created the user (use it).
      const raced = await findByIdentity(db, identity);
      if (raced) return raced;
    }
  }
  throw new Error(`no free user name for OIDC subject ${identity.subject} (tried ${base} … ${base}-50)`);
}

function findByIdentity(db: PrismaClient, identity: OidcIdentity) {
  return db.user.findUnique({
    where: { oidcIssuer_oidcSubject: { oidcIssuer: identity.issuer, oidcSubject: identity.subject } },
  });
}

/**
 * Applies a sign-in: `grants` are what the role map gives the identity's groups now. No grants means
 * no sign-in, and a known user loses the grants its groups gave it before.
 */
export async function provisionOidcUser(
  db: PrismaClient,
  identity: OidcIdentity,
  grants: Grant[],
): Promise<ProvisionResult> {
  const existing = await findByIdentity(db, identity);
  if (existing?.disabled) return { status: "disabled", username: existing.username };
  if (grants.length === 0) {
    if (existing) await db.roleGrant.deleteMany({ where: { userId: existing.id, source: "oidc" } });
    return { status: "no_role", username: existing?.username ?? null };
  }
  const user = existing ?? (await createOidcUser(db, identity));
  await db.$transaction([
    db.roleGrant.deleteMany({ where: { userId: user.id, source: "oidc" } }),
    db.roleGrant.createMany({
      data: grants.map((g) => ({ userId: user.id, role: g.role, scope: g.scope, source: "oidc" })),
      skipDuplicates: true,
    }),
    db.user.update({
      where: { id: user.id },
      data: {
        lastLoginAt: new Date(),
        ...(identity.name ? { displayName: identity.name.slice(0, 100) } : {}),
      },
    }),
  ]);
  return { status: "ok", user: { id: user.id, username: user.username }, created: !existing };
}
