// Carries out the scheduler's actions for one pass: each is a write conditioned on the row's phase and
// attempt (and, for anything that starts, on the rollout still running under this instance's lease),
// and only a write that took starts the machine's task. A machine locked since it was planned is
// skipped instead (skip-locked.ts).
import type { PrismaClient } from "../../../platform/db/client";
import type { RolloutLease } from "../rollout-lease";
import type { Schedule } from "../scheduler";
import { skipLockedMachines } from "../skip-locked";
import type { Holding } from "./held-leases";
import type { MachineRow } from "./load-rollout";
import type { MachineTasks, MachineWork } from "./machine-tasks";

export interface ApplyContext {
  db: PrismaClient;
  tasks: MachineTasks;
  stamp(): Date;
  holding(): Holding;
}

export async function applyActions(
  ctx: ApplyContext,
  lease: RolloutLease,
  work: MachineWork,
  actions: Schedule["actions"],
  rows: MachineRow[],
): Promise<void> {
  const { db } = ctx;
  const byId = new Map(rows.map((m) => [m.id, m]));
  const locked = await skipLockedMachines(
    db,
    actions.filter((a) => a.kind !== "time-out").map((a) => byId.get(a.machineId) as MachineRow),
  );
  for (const a of actions) {
    // Nothing starts without the lease: checked here, in the row's update, and as the request leaves.
    if (!lease.held()) return;
    if (locked.has(a.machineId)) continue;
    const m = byId.get(a.machineId) as MachineRow;
    if (a.kind === "time-out") {
      const n = await db.rolloutMachine.updateMany({
        where: { id: m.id, phase: { in: ["pulling", "upgrading"] }, attempt: m.attempt },
        data: { phase: "failed", error: a.reason, phaseSince: ctx.stamp(), finishedAt: ctx.stamp() },
      });
      if (n.count) {
        ctx.tasks.abort(m.id);
        m.phase = "failed";
        await ctx.tasks.recordOutcome(work, m, "failed", a.reason);
      }
    } else if (a.kind === "pull") {
      const n = await db.rolloutMachine.updateMany({
        // Only while running: an abort or a pause committed since this pass read the rollout wins.
        where: { id: m.id, phase: "pending", rollout: { status: "running", ...ctx.holding() } },
        data: {
          phase: "pulling",
          phaseSince: ctx.stamp(),
          inFlightSince: ctx.stamp(),
          progress: "pulling the installer",
        },
      });
      if (n.count) ctx.tasks.pull(lease, work.image, m);
    } else {
      const attempt = m.attempt + 1;
      // Written before the request leaves: after a crash this row says an upgrade may be under way.
      const n = await db.rolloutMachine.updateMany({
        where: {
          id: m.id,
          phase: { in: ["pending", "pulled"] },
          attempt: m.attempt,
          rollout: { status: "running", ...ctx.holding() },
        },
        data: {
          phase: "upgrading",
          attempt,
          issuedAt: new Date(),
          actorId: null,
          phaseSince: ctx.stamp(),
          // From now, also after a pull: a pulled machine waiting (a window closed, a slot taken)
          // is not in flight, and that wait must not count against its timeout.
          inFlightSince: ctx.stamp(),
          fromVersion: m.machine.talosVersion,
          bootIdBefore: m.machine.bootId,
          progress: "upgrade requested",
        },
      });
      if (n.count) ctx.tasks.upgrade(lease, work, { ...m, attempt });
    }
  }
}
