// The rollouts list: every rollout the reader may see (rollouts touching their scope), newest first,
// with its waves and machine count; archived ones only when asked for.
import type { PrismaClient } from "../../platform/db/client";
import { visibleRollouts } from "./visible-rollouts";

/** A rollout's machines by where they are: upgraded, failed, skipped, and in all. */
export interface MachineProgress {
  total: number;
  done: number;
  failed: number;
  skipped: number;
}

export async function listRollouts({
  db,
  scopes,
  showArchived,
}: {
  db: PrismaClient;
  scopes: string[];
  showArchived: boolean;
}) {
  const rollouts = await db.rollout.findMany({
    where: { ...visibleRollouts(scopes), ...(showArchived ? {} : { archivedAt: null }) },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: {
      id: true,
      name: true,
      targetVersion: true,
      status: true,
      statusReason: true,
      currentWave: true,
      createdBy: true,
      createdAt: true,
      archivedAt: true,
      archivedBy: true,
      waves: { orderBy: { index: "asc" }, select: { index: true, name: true, status: true } },
      _count: { select: { machines: true } },
    },
  });
  const counts = await db.rolloutMachine.groupBy({
    by: ["rolloutId", "phase"],
    where: { rolloutId: { in: rollouts.map((r) => r.id) } },
    _count: { _all: true },
  });
  const progress = new Map<string, MachineProgress>();
  for (const c of counts) {
    const p = progress.get(c.rolloutId) ?? { total: 0, done: 0, failed: 0, skipped: 0 };
    p.total += c._count._all;
    if (c.phase === "done" || c.phase === "failed" || c.phase === "skipped") p[c.phase] += c._count._all;
    progress.set(c.rolloutId, p);
  }
  return rollouts.map((r) => ({
    ...r,
    progress: progress.get(r.id) ?? { total: 0, done: 0, failed: 0, skipped: 0 },
  }));
}
