// The words of a rollout's announcements (webhook.ts sends them): approval needed, wave finished, paused
// (failure budget, pod check),
// completed (saying so when machines failed), aborted. Plain text that reads well in Slack or a mail.
import type { MachinePhase } from "./scheduler";

interface RolloutFacts {
  name: string;
  targetVersion: string;
}

/** How many machines are in each phase. */
export function countPhases(phases: readonly MachinePhase[]): Record<MachinePhase, number> {
  const counts: Record<MachinePhase, number> = {
    pending: 0,
    pulling: 0,
    pulled: 0,
    upgrading: 0,
    done: 0,
    failed: 0,
    skipped: 0,
  };
  for (const p of phases) counts[p]++;
  return counts;
}

const machines = (n: number) => `${n} machine${n === 1 ? "" : "s"}`;

function outcome(c: Record<MachinePhase, number>): string {
  const parts = [`${c.done} done`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  return parts.join(", ");
}

export function approvalNeeded(r: RolloutFacts, wave: string, size: number): string {
  return `Rollout "${r.name}" to ${r.targetVersion}: ${wave} (${machines(size)}) needs an approval.`;
}

export function waveFinished(
  r: RolloutFacts,
  wave: string,
  c: Record<MachinePhase, number>,
  next?: { name: string; automatic: boolean },
): string {
  const then = next ? (next.automatic ? ` ${next.name} starts automatically.` : "") : "";
  return `Rollout "${r.name}" to ${r.targetVersion}: ${wave} finished (${outcome(c)}).${then}`;
}

export function budgetExceeded(
  r: RolloutFacts,
  wave: string,
  failures: number,
  allowance: number,
  failed: readonly string[],
): string {
  const names = failed.slice(0, 5).join(", ") + (failed.length > 5 ? ", …" : "");
  return `Rollout "${r.name}" to ${r.targetVersion} paused: ${wave} has ${machines(failures)} failed (${names}), more than its failure budget of ${allowance}. Retry or skip them, then resume.`;
}

/** The pod check held the rollout after a wave's bake: `reason` names the wave and the pods. */
export function podCheckHeld(r: RolloutFacts, reason: string): string {
  return `Rollout "${r.name}" to ${r.targetVersion} paused by its pod check: ${reason}`;
}

export function completed(r: RolloutFacts, c: Record<MachinePhase, number>): string {
  const total = c.done + c.failed + c.skipped;
  const head = c.failed ? "completed with failures" : "completed";
  return `Rollout "${r.name}" ${head}: ${c.done} of ${machines(total)} on ${r.targetVersion} (${outcome(c)}).`;
}

export function aborted(r: RolloutFacts, c: Record<MachinePhase, number>): string {
  const untouched = c.pending + c.pulled;
  return `Rollout "${r.name}" to ${r.targetVersion} aborted: ${outcome(c)}, ${machines(untouched)} not upgraded.`;
}
