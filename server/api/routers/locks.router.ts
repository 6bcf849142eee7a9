// Rollout locks (rollouts.locks.*): lock a machine or cluster with a reason, and unlock it. Operators
// and admins, within the scope they may run rollouts in; both audited with the reason.
import { z } from "zod";
import {
  type LockTarget,
  lockReasonSchema,
  lockTarget,
  lockTargetSchema,
  unlockTarget,
} from "../../features/inventory/locks";
import { scopesFor } from "../../model/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

const auditTarget = (t: LockTarget) => (t.kind === "machine" ? `machine:${t.id}` : `cluster:${t.name}`);

export const locksRouter = router({
  lock: authorized("rollouts.run")
    .input(z.object({ target: lockTargetSchema, reason: lockReasonSchema }))
    .mutation(({ ctx, input }) => {
      ctx.audit.target = auditTarget(input.target);
      ctx.audit.details = { reason: input.reason };
      return lockTarget({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        target: input.target,
        reason: input.reason,
        by: ctx.principal.username,
      });
    }),

  unlock: authorized("rollouts.run")
    .input(z.object({ target: lockTargetSchema }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = auditTarget(input.target);
      const removed = await unlockTarget({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        target: input.target,
      });
      ctx.audit.details = { reason: removed.reason, lockedBy: removed.by, lockedAt: removed.at };
      return removed;
    }),
});
