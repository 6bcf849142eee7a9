// Deletes a user created by mistake: its grants, sessions and API tokens go with it (their sessions and
// tokens stop working at once). Nothing else refers to a user by foreign key: rollouts, approvals, locks,
// windows, acknowledgements and the audit trail keep the name as text, so they still say who did what.

import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";

export interface DeletedUser {
  username: string;
  displayName: string;
  /** The roles it held, "role" or "role@scope", for the audit trail. */
  grants: string[];
  /** Sessions ended and API tokens removed with the user. */
  endedSessions: number;
  removedTokens: number;
}

export async function deleteUser({
  db,
  username,
  byUserId,
}: {
  db: PrismaClient;
  username: string;
  /** The administrator asking: nobody deletes their own account. */
  byUserId: string;
}): Promise<DeletedUser> {
  return db.$transaction(async (tx) => {
    // Every administrator's row is locked, in one order, before counting them: two administrators deleting
    // each other at once are taken one after the other, and the second finds the first gone.
    await tx.$queryRaw`
      SELECT id FROM app_user WHERE id IN (SELECT user_id FROM role_grant WHERE role = 'admin' AND scope = '')
      ORDER BY id FOR UPDATE`;
    const user = await tx.user.findUnique({
      where: { username },
      select: {
        id: true,
        displayName: true,
        grants: { select: { role: true, scope: true }, orderBy: { role: "asc" } },
        _count: { select: { sessions: true, apiTokens: true } },
      },
    });
    if (!user) throw new AppError("NOT_FOUND", { userMessage: `There is no user named "${username}".` });
    if (user.id === byUserId) {
      throw new AppError("BAD_REQUEST", { userMessage: "You cannot delete your own account." });
    }
    if (user.grants.some((g) => g.role === "admin" && g.scope === "")) {
      const otherAdmins = await tx.user.count({
        where: { id: { not: user.id }, disabled: false, grants: { some: { role: "admin", scope: "" } } },
      });
      if (otherAdmins === 0) {
        throw new AppError("CONFLICT", {
          userMessage: `${username} is the last administrator; make someone else an administrator first.`,
        });
      }
    }
    // Grants, sessions and tokens are deleted by their foreign keys (ON DELETE CASCADE).
    await tx.user.delete({ where: { id: user.id } });
    return {
      username,
      displayName: user.displayName,
      grants: user.grants.map((g) => (g.scope ? `${g.role}@${g.scope}` : g.role)),
      endedSessions: user._count.sessions,
      removedTokens: user._count.apiTokens,
    };
  });
}
