// The rollout-level steps of a pass, each a write conditioned on this instance's lease and on the state
// the pass read (so it happens once, whoever holds the lease): announce that a wave awaits approval, end
// an aborting rollout once nothing is in flight, and move the current wave along as the scheduler's
// verdict says — running, baking, paused by its failure budget, or done (the next wave, or completed).
import type { PrismaClient } from "../../../platform/db/client";
import type { KubeClients } from "../../kubernetes/kube-clients";
import * as announce from "../announcements";
import type { Schedule } from "../scheduler";
import type { Notifier } from "../webhook";
import type { Holding } from "./held-leases";
import type { MachineRow, RolloutState } from "./load-rollout";
import { checkPods, describeHold, type PodBaseline, passed, readPodBaseline } from "./pod-check";

export interface AdvanceContext {
  db: PrismaClient;
  /** For the pod check (absent: a rollout with the check on holds, saying its clusters cannot be read). */
  kube?: KubeClients;
  notify?: Notifier;
  stamp(): Date;
  holding(): Holding;
}

/** Announces once that the current wave awaits an approval (the column marks it, whoever holds the lease). */
export async function announceApprovalNeeded(ctx: AdvanceContext, s: RolloutState): Promise<void> {
  const { rollout: r, wave } = s;
  if (!wave || s.approved || r.status === "aborting") return;
  const n = await ctx.db.rolloutWave.updateMany({
    where: { id: wave.id, status: "pending", approvalRequestedAt: null, rollout: ctx.holding() },
    data: { approvalRequestedAt: new Date() },
  });
  if (n.count) ctx.notify?.(announce.approvalNeeded(r, wave.name, s.waveRows.length));
}

const clustersOf = (rows: readonly MachineRow[]) => [...new Set(rows.map((m) => m.machine.cluster.name))];

/** With the pod check on: notes, once per wave, the pods already in trouble before it touches a machine. */
export async function notePodBaseline(ctx: AdvanceContext, s: RolloutState): Promise<void> {
  const { wave } = s;
  if (!s.safety.podCheck || !wave || wave.podBaseline !== null || s.rollout.status !== "running") return;
  const clusters = clustersOf(s.waveRows);
  const baseline = ctx.kube
    ? await readPodBaseline(ctx.kube, clusters)
    : Object.fromEntries(clusters.map((c) => [c, null]));
  await ctx.db.rolloutWave.updateMany({
    where: { id: wave.id, rollout: ctx.holding() },
    data: { podBaseline: baseline },
  });
  wave.podBaseline = baseline;
}

/**
 * With the pod check on, after the bake: true when the wave may finish; otherwise the rollout is paused
 * (once) with the pods that are newly in trouble, until a person resumes it (accepting them) or aborts.
 */
async function podCheckLetsGo(ctx: AdvanceContext, s: RolloutState): Promise<boolean> {
  const { rollout: r, wave } = s;
  if (!s.safety.podCheck || !wave || wave.podCheckWaivedBy) return true;
  const clusters = clustersOf(s.waveRows);
  const baseline = (wave.podBaseline ?? {}) as PodBaseline;
  const result = ctx.kube
    ? await checkPods(ctx.kube, baseline, clusters)
    : { found: [], unreadable: clusters.map((cluster) => ({ cluster, error: "no Kubernetes access" })) };
  if (passed(result)) return true;
  const reason = describeHold(wave.name, result);
  const held = await ctx.db.$transaction(async (tx) => {
    const n = await tx.rollout.updateMany({
      where: { id: r.id, status: "running", currentWave: wave.index, ...ctx.holding() },
      data: { status: "paused", statusReason: reason },
    });
    if (n.count)
      await tx.rolloutWave.update({ where: { id: wave.id }, data: { podCheckHeldAt: ctx.stamp() } });
    return n.count > 0;
  });
  if (held) ctx.notify?.(announce.podCheckHeld(r, reason));
  return false;
}

/** Once nothing is in flight any more, an aborting rollout ends as aborted. */
export async function finishAbort(
  ctx: AdvanceContext,
  s: RolloutState,
  inFlight: MachineRow[],
): Promise<void> {
  const r = s.rollout;
  if (inFlight.some((m) => m.phase === "pulling" || m.phase === "upgrading")) return;
  const n = await ctx.db.rollout.updateMany({
    where: { id: r.id, status: "aborting", ...ctx.holding() },
    data: { status: "aborted", finishedAt: ctx.stamp() },
  });
  if (n.count) ctx.notify?.(announce.aborted(r, announce.countPhases(s.rows.map((m) => m.phase))));
}

/** Moves the current wave as the scheduler's verdict on it says. */
export async function advanceWave(ctx: AdvanceContext, s: RolloutState, d: Schedule): Promise<void> {
  const { db } = ctx;
  const { rollout: r, wave, waveRows } = s;
  if (!wave) return;
  if (s.approved && wave.status !== "running" && wave.status !== "baking" && d.wave === "running") {
    await db.rolloutWave.update({
      where: { id: wave.id },
      data: { status: "running", startedAt: ctx.stamp() },
    });
  }
  if (d.wave === "start-bake") {
    await db.rolloutWave.update({
      where: { id: wave.id },
      data: { status: "baking", bakeStartedAt: ctx.stamp() },
    });
  } else if (d.wave === "budget-exceeded" && r.status === "running") {
    const failed = waveRows.filter((m) => m.phase === "failed").map((m) => m.machine.hostname);
    const reason = `${wave.name}: ${d.failures} machines failed, more than its failure budget of ${d.allowance}`;
    const n = await db.rollout.updateMany({
      where: { id: r.id, status: "running", ...ctx.holding() },
      data: { status: "paused", statusReason: reason },
    });
    if (n.count) ctx.notify?.(announce.budgetExceeded(r, wave.name, d.failures, d.allowance, failed));
  } else if (d.wave === "baked" && r.status === "running") {
    if (!(await podCheckLetsGo(ctx, s))) return;
    const counts = announce.countPhases(waveRows.map((m) => m.phase));
    const next = r.waves.find((w) => w.index === r.currentWave + 1);
    const advanced = await db.$transaction(async (tx) => {
      const n = await tx.rollout.updateMany({
        where: { id: r.id, currentWave: r.currentWave, status: "running", ...ctx.holding() },
        data: next
          ? { currentWave: next.index }
          : { status: "completed", statusReason: "", finishedAt: ctx.stamp() },
      });
      if (n.count === 0) return false;
      await tx.rolloutWave.update({
        where: { id: wave.id },
        data: { status: "done", finishedAt: ctx.stamp() },
      });
      return true;
    });
    if (!advanced) return;
    ctx.notify?.(
      announce.waveFinished(
        r,
        wave.name,
        counts,
        next ? { name: next.name, automatic: next.autoAdvance } : undefined,
      ),
    );
    if (!next) ctx.notify?.(announce.completed(r, announce.countPhases(s.rows.map((m) => m.phase))));
  }
}
