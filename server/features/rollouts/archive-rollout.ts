// Archives a finished rollout out of the default rollouts list, or brings it back. Only the operator's
// own rollouts qualify: every machine of the plan within their scope, else not found.

import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import type { RolloutStatus } from "../../platform/db/generated/client";
import { rolloutsWithinScope } from "./visible-rollouts";

/** States a rollout never leaves: nothing more will happen to its machines. */
export const FINISHED_STATUSES = ["completed", "aborted", "rejected"] as const satisfies RolloutStatus[];

export async function setRolloutArchived({
  db,
  scopes,
  id,
  archived,
  by,
  now = new Date(),
}: {
  db: PrismaClient;
  /** The caller's rollouts.run scopes. */
  scopes: string[];
  id: string;
  archived: boolean;
  by: string;
  now?: Date;
}): Promise<{ name: string; archivedAt: Date | null }> {
  const found = await db.rollout.findFirst({
    where: { id, ...rolloutsWithinScope(scopes) },
    select: { name: true, status: true },
  });
  if (!found) throw new AppError("NOT_FOUND", { userMessage: "There is no such rollout." });
  const finished = (FINISHED_STATUSES as readonly string[]).includes(found.status);
  if (archived && !finished) {
    throw new AppError("CONFLICT", {
      userMessage: `The rollout is ${found.status}, so it cannot be archived: only finished rollouts (completed, aborted or rejected) can. Wait until it finishes, or abort it.`,
    });
  }
  // Guarded on the state read above: a rollout cannot be archived between a status check and a resume.
  const changed = await db.rollout.updateMany({
    where: { id, status: { in: [...FINISHED_STATUSES] }, ...rolloutsWithinScope(scopes) },
    data: archived ? { archivedAt: now, archivedBy: by } : { archivedAt: null, archivedBy: null },
  });
  if (changed.count === 0) {
    throw new AppError("CONFLICT", { userMessage: "The rollout changed meanwhile; look again." });
  }
  return { name: found.name, archivedAt: archived ? now : null };
}
