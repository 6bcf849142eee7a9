// The waves waiting for a decision that this approver may take: within their `rollouts.approve`
// scope, and not on rollouts they created or last changed (four eyes: someone else decides those).
// Longest waiting first.
import type { Principal } from "../../model/principal";
import type { PrismaClient } from "../../platform/db/client";
import { visibleRollouts } from "./visible-rollouts";

export async function pendingApprovals(opts: { db: PrismaClient; principal: Principal; scopes: string[] }) {
  const { principal } = opts;
  const rollouts = await opts.db.rollout.findMany({
    where: {
      ...visibleRollouts(opts.scopes),
      status: { in: ["pending", "running", "paused"] },
      createdById: { not: principal.userId },
      lastChangedById: { not: principal.userId },
    },
    select: {
      id: true,
      name: true,
      targetVersion: true,
      createdBy: true,
      createdAt: true,
      currentWave: true,
      waves: {
        orderBy: { index: "asc" },
        select: { index: true, name: true, status: true, autoAdvance: true, finishedAt: true },
      },
    },
    take: 200,
  });
  const waiting = [];
  for (const r of rollouts) {
    const wave = r.waves.find((w) => w.index === r.currentWave);
    // A wave approved in advance ("advance automatically") starts by itself.
    if (wave?.status !== "pending" || wave.autoAdvance) continue;
    const previous = r.waves.find((w) => w.index === wave.index - 1);
    const machines = await opts.db.rolloutMachine.count({
      where: { rolloutId: r.id, waveIndex: wave.index },
    });
    waiting.push({
      rolloutId: r.id,
      rollout: r.name,
      targetVersion: r.targetVersion,
      waveIndex: wave.index,
      wave: wave.name,
      machines,
      createdBy: r.createdBy,
      /** Since the rollout was created (first wave), or since the previous wave finished. */
      waitingSince: previous?.finishedAt ?? r.createdAt,
    });
  }
  return waiting.sort((a, b) => a.waitingSince.getTime() - b.waitingSince.getTime());
}
