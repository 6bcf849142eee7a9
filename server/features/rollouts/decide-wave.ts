// An approver's decision on a rollout's next wave. Four eyes: whoever created or last changed the
// plan can never decide on it (enforced here, on the server). A decision is for one revision of the
// plan; a changed plan voids earlier approvals (create-rollout.ts).
import { z } from "zod";
import { AppError } from "../../model/errors";
import { assertFourEyes } from "../../model/four-eyes";
import type { Principal } from "../../model/principal";
import type { PrismaClient } from "../../platform/db/client";
import { rolloutsWithinScope } from "./visible-rollouts";

export const waveDecisionSchema = z.object({
  rolloutId: z.uuid("must be a rollout id"),
  waveIndex: z.number().int().min(0),
  /** The revision of the plan the approver looked at. */
  revision: z.number().int().min(1),
  approve: z.boolean(),
  comment: z.string().trim().max(2_000).default(""),
  /** Approve the following waves too: each starts after the previous baked healthy. */
  autoAdvance: z.boolean().default(false),
});
export type WaveDecision = z.infer<typeof waveDecisionSchema>;

/** `scopes`: the decider's rollouts.approve scopes; a rollout reaching beyond them is not found. */
export async function decideWave({
  db,
  principal,
  scopes,
  decision: d,
}: {
  db: PrismaClient;
  principal: Principal;
  scopes: string[];
  decision: WaveDecision;
}): Promise<{ status: string }> {
  const rollout = await db.rollout.findFirst({
    where: { id: d.rolloutId, ...rolloutsWithinScope(scopes) },
    select: {
      name: true,
      status: true,
      revision: true,
      currentWave: true,
      createdById: true,
      lastChangedById: true,
      waves: { where: { index: d.waveIndex }, select: { status: true, name: true } },
    },
  });
  const wave = rollout?.waves[0];
  if (!rollout || !wave)
    throw new AppError("NOT_FOUND", { userMessage: "There is no such rollout or wave." });
  const what = `${wave.name.toLowerCase()} of rollout "${rollout.name}"`;
  assertFourEyes(principal, {
    requestedBy: rollout.createdById,
    lastChangedBy: rollout.lastChangedById,
    what,
  });
  if (d.revision !== rollout.revision) {
    throw new AppError("CONFLICT", {
      userMessage: `The plan of "${rollout.name}" changed since you opened it (revision ${rollout.revision} now). Review it again before deciding.`,
    });
  }
  if (!["pending", "running", "paused"].includes(rollout.status)) {
    throw new AppError("CONFLICT", {
      userMessage: `The rollout is ${rollout.status}; there is nothing to decide.`,
    });
  }
  if (wave.status !== "pending") {
    throw new AppError("CONFLICT", { userMessage: `${wave.name} is already ${wave.status}.` });
  }
  if (d.waveIndex !== rollout.currentWave) {
    throw new AppError("CONFLICT", {
      userMessage: `Decide on the waves in order: wave ${rollout.currentWave + 1} comes first.`,
    });
  }
  return db.$transaction(async (tx) => {
    // Guarded by the revision: a plan change racing this decision wins, and this one fails.
    const still = await tx.rollout.updateMany({
      where: { id: d.rolloutId, revision: d.revision },
      data: d.approve
        ? { status: rollout.status === "pending" ? "running" : rollout.status, statusReason: "" }
        : {
            status: "rejected",
            statusReason: `${wave.name} rejected by ${principal.username}`,
            finishedAt: new Date(),
          },
    });
    if (still.count === 0) {
      throw new AppError("CONFLICT", {
        userMessage: "The plan changed meanwhile. Review it again before deciding.",
      });
    }
    await tx.rolloutApproval.create({
      data: {
        rolloutId: d.rolloutId,
        waveIndex: d.waveIndex,
        revision: d.revision,
        approved: d.approve,
        autoAdvance: d.approve && d.autoAdvance,
        comment: d.comment,
        userId: principal.userId,
        username: principal.username,
      },
    });
    await tx.rolloutWave.updateMany({
      where: { rolloutId: d.rolloutId, index: d.waveIndex },
      data: { status: d.approve ? "approved" : "rejected" },
    });
    if (d.approve && d.autoAdvance) {
      await tx.rolloutWave.updateMany({
        where: { rolloutId: d.rolloutId, index: { gt: d.waveIndex } },
        data: { autoAdvance: true },
      });
    }
    return { status: d.approve ? "approved" : "rejected" };
  });
}
