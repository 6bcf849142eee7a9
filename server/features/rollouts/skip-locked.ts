// The execution side of rollout locks: the reconciler asks this right before it starts machines (a
// pull or an upgrade). A machine whose machine or cluster was locked since it was planned is not
// started: its row is marked skipped with the lock's reason, so its wave can finish without it.

import { untrusted } from "../../model/untrusted-text";
import type { PrismaClient } from "../../platform/db/client";
import { effectiveLock, lockSelect } from "../inventory/locks";

/**
 * Marks the rollout machines about to start whose machine or cluster is locked now as skipped, and
 * returns their rollout-machine ids: the caller must not start those. Only rows still waiting
 * (pending or pulled) are changed; a single query when nothing is locked.
 */
export async function skipLockedMachines(
  db: PrismaClient,
  starting: readonly { id: string; machineId: string }[],
): Promise<Set<string>> {
  const skipped = new Set<string>();
  if (starting.length === 0) return skipped;
  const locked = await db.machine.findMany({
    where: {
      id: { in: starting.map((m) => m.machineId) },
      OR: [{ locks: { some: {} } }, { cluster: { locks: { some: {} } } }],
    },
    select: {
      id: true,
      locks: { select: lockSelect },
      cluster: { select: { locks: { select: lockSelect } } },
    },
  });
  for (const machine of locked) {
    const lock = effectiveLock(machine.locks, machine.cluster.locks);
    if (!lock) continue;
    for (const m of starting.filter((s) => s.machineId === machine.id)) {
      // Not started, whatever the update finds: a locked machine never starts.
      skipped.add(m.id);
      await db.rolloutMachine.updateMany({
        where: { id: m.id, phase: { in: ["pending", "pulled"] } },
        data: {
          phase: "skipped",
          phaseSince: new Date(),
          finishedAt: new Date(),
          progress: `not started: its ${lock.on} was locked by ${untrusted(lock.by)} (${untrusted(lock.reason)})`,
        },
      });
    }
  }
  return skipped;
}
