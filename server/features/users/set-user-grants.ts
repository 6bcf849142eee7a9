// Replaces the locally set role grants of a user (grants mapped from OIDC groups are left alone).

import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { assertGrantsAllowed, type GrantInput } from "./user-schemas";

export async function setUserGrants(db: PrismaClient, username: string, grants: GrantInput[]): Promise<void> {
  assertGrantsAllowed(grants);
  const user = await db.user.findUnique({ where: { username }, include: { grants: true } });
  if (!user) throw new AppError("NOT_FOUND", { userMessage: `There is no user named "${username}".` });
  const keepsAdmin = grants.some((g) => g.role === "admin" && g.scope === "");
  if (!keepsAdmin && user.grants.some((g) => g.role === "admin" && g.scope === "")) {
    const otherAdmins = await db.user.count({
      where: { id: { not: user.id }, disabled: false, grants: { some: { role: "admin", scope: "" } } },
    });
    if (otherAdmins === 0) {
      throw new AppError("CONFLICT", {
        userMessage: `${username} is the last administrator; make someone else an administrator first.`,
      });
    }
  }
  await db.$transaction([
    db.roleGrant.deleteMany({ where: { userId: user.id, source: "local" } }),
    db.roleGrant.createMany({
      data: grants.map((g) => ({ userId: user.id, role: g.role, scope: g.scope, source: "local" })),
      skipDuplicates: true,
    }),
  ]);
}
