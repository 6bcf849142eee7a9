// What is changing in the fleet, for the overview: open rollouts, waves waiting for an approval, and
// machines with drift that counts (drifted, not acknowledged) — each within the reader's scope.
import { machineScopeWhere } from "../../access/auth/scope-filter";
import type { PrismaClient } from "../../platform/db/client";
import { visibleRollouts } from "./visible-rollouts";

export interface ChangeSummary {
  openRollouts: number;
  wavesAwaitingApproval: number;
  driftedMachines: number;
}

const OPEN = ["pending", "running", "paused", "aborting"] as const;

export async function getChangeSummary({
  db,
  scopes,
  now = new Date(),
}: {
  db: PrismaClient;
  scopes: string[];
  now?: Date;
}): Promise<ChangeSummary> {
  const [open, driftedMachines] = await Promise.all([
    db.rollout.findMany({
      where: { ...visibleRollouts(scopes), status: { in: [...OPEN] } },
      select: {
        currentWave: true,
        status: true,
        waves: { select: { index: true, status: true, autoAdvance: true } },
      },
    }),
    db.machine.count({
      where: {
        AND: [
          machineScopeWhere(scopes),
          { removedAt: null },
          {
            driftItems: {
              some: {
                state: "drifted",
                OR: [{ acknowledgedUntil: null }, { acknowledgedUntil: { lte: now } }],
              },
            },
          },
        ],
      },
    }),
  ]);
  const wavesAwaitingApproval = open.filter((r) => {
    if (r.status === "aborting") return false;
    const w = r.waves.find((x) => x.index === r.currentWave);
    return w?.status === "pending" && !w.autoAdvance;
  }).length;
  return { openRollouts: open.length, wavesAwaitingApproval, driftedMachines };
}
