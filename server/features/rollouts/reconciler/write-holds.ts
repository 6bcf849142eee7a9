// Why the current wave's waiting machines wait, and what a wave whose machines are all final still
// waits for, written where the rollout page reads them: each row only when its reason changed, one
// statement per distinct reason, conditioned on the lease.
import type { Hold, Schedule } from "../scheduler";
import type { AdvanceContext } from "./advance-rollout";
import type { RolloutState } from "./load-rollout";

export async function writeHolds(ctx: AdvanceContext, s: RolloutState, d: Schedule): Promise<void> {
  const { rollout: r, wave } = s;
  if (!wave || r.status !== "running") return;
  const changed = new Map<string, { hold: Hold; ids: string[] }>();
  for (const m of s.waveRows) {
    if (m.phase !== "pending" && m.phase !== "pulled") continue;
    const hold = d.holds.get(m.id) ?? { reason: "" };
    const until = hold.until === undefined ? null : hold.until;
    if (m.hold === hold.reason && (m.holdUntil?.getTime() ?? null) === until) continue;
    const key = `${hold.reason}\u0000${until ?? ""}`;
    const group = changed.get(key) ?? { hold, ids: [] };
    group.ids.push(m.id);
    changed.set(key, group);
  }
  for (const { hold, ids } of changed.values()) {
    await ctx.db.rolloutMachine.updateMany({
      where: { id: { in: ids }, phase: { in: ["pending", "pulled"] }, rollout: ctx.holding() },
      data: { hold: hold.reason, holdUntil: hold.until === undefined ? null : new Date(hold.until) },
    });
  }
  // A wave whose machines are all final and whose bake is over waits only for its clusters' health; a
  // running wave with nothing in flight and nothing started in this pass waits for what its machines wait for.
  const idle =
    d.wave === "running" &&
    d.actions.length === 0 &&
    !s.waveRows.some((m) => m.phase === "pulling" || m.phase === "upgrading");
  const waveHold =
    d.wave === "baking"
      ? d.waits.map((w) => w.reason).join("; ")
      : idle
        ? d.waits
            .map((w) => `${w.machines} ${w.machines === 1 ? "machine" : "machines"} ${w.reason}`)
            .join("; ")
        : "";
  if (waveHold !== wave.hold) {
    await ctx.db.rolloutWave.updateMany({
      where: { id: wave.id, rollout: ctx.holding() },
      data: { hold: waveHold },
    });
  }
}
