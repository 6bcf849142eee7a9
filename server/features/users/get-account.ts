// The signed-in user as the UI needs them: name, how they signed in, whether they have a password, their
// grants, and the permissions those give (the UI shows and hides actions from this).
import { permissions, roleHas } from "../../model/permissions";
import type { Principal } from "../../model/principal";
import type { PrismaClient } from "../../platform/db/client";

export async function getAccount({ db, principal }: { db: PrismaClient; principal: Principal | null }) {
  if (!principal) return null;
  const user = await db.user.findUnique({
    where: { id: principal.userId },
    select: { username: true, displayName: true, passwordHash: true },
  });
  if (!user) return null;
  return {
    username: user.username,
    displayName: user.displayName || user.username,
    via: principal.kind,
    hasPassword: user.passwordHash !== null,
    grants: principal.grants,
    permissions: permissions.filter((perm) => principal.grants.some((g) => roleHas(g.role, perm))),
  };
}
