// What a rollout, each of its waves and each of its machines show, derived together from the stored
// states so that no combination on a page contradicts another: an aborted rollout has no running wave
// and no pending machine (they are "stopped (aborted)" and "not started (aborted)"), a paused one no
// running wave, and a waiting machine says what it waits for.

export type Tone = "waiting" | "active" | "attention" | "done" | "failed" | "stopped";

export interface Shown {
  tone: Tone;
  label: string;
  /** What it waits for or why it stopped, in words (absent when the label says it all). */
  detail?: string;
  /** When the wait ends, where that is known (a maintenance window opening). */
  until?: Date;
}

export interface RolloutFacts {
  status: string;
  statusReason: string;
  currentWave: number;
}

export interface WaveFacts {
  index: number;
  name: string;
  status: string;
  autoAdvance: boolean;
  hold: string;
}

export interface MachineFacts {
  phase: string;
  hold: string;
  holdUntil: Date | null;
  error: string | null;
}

const ENDED = new Set(["aborted", "completed", "rejected"]);
const STARTED_WAVE = new Set(["running", "baking", "approved"]);

export function rolloutShown(r: RolloutFacts): Shown {
  switch (r.status) {
    case "pending":
      return { tone: "attention", label: "awaiting approval" };
    case "running":
      return { tone: "active", label: "running" };
    case "paused":
      return { tone: "attention", label: "paused", detail: r.statusReason || undefined };
    case "aborting":
      return {
        tone: "attention",
        label: "aborting",
        detail: "machines already rebooting finish; nothing else starts",
      };
    case "aborted":
      return { tone: "stopped", label: "aborted", detail: r.statusReason || undefined };
    case "completed":
      return { tone: "done", label: "completed" };
    case "rejected":
      return { tone: "failed", label: "rejected", detail: r.statusReason || undefined };
    default:
      return { tone: "stopped", label: r.status };
  }
}

export function waveShown(r: RolloutFacts, w: WaveFacts, previous?: WaveFacts): Shown {
  if (w.status === "done") return { tone: "done", label: "done" };
  if (w.status === "rejected") return { tone: "failed", label: "rejected" };
  const started = STARTED_WAVE.has(w.status) && w.index <= r.currentWave;
  if (r.status === "aborted")
    return { tone: "stopped", label: started ? "stopped (aborted)" : "not started (aborted)" };
  if (r.status === "aborting")
    return started
      ? { tone: "attention", label: "stopping (aborting)" }
      : { tone: "stopped", label: "not started (aborted)" };
  if (r.status === "rejected") return { tone: "stopped", label: "not started (rejected)" };
  if (ENDED.has(r.status)) return { tone: "stopped", label: "stopped" };
  if (w.index > r.currentWave) {
    const after = previous ? `after ${previous.name}` : "later";
    return w.autoAdvance || w.status === "approved"
      ? { tone: "waiting", label: "approved", detail: `starts ${after}` }
      : { tone: "waiting", label: "to be approved", detail: `its approval is asked ${after}` };
  }
  if (r.status === "paused")
    return { tone: "attention", label: "paused", detail: r.statusReason || undefined };
  if (r.status === "pending" || (w.status === "pending" && !w.autoAdvance))
    return { tone: "attention", label: "awaiting approval" };
  if (w.status === "baking") {
    return w.hold
      ? { tone: "attention", label: "baking", detail: `waiting: ${w.hold}` }
      : { tone: "active", label: "baking" };
  }
  if (w.hold) return { tone: "attention", label: "waiting", detail: w.hold };
  return { tone: "active", label: "running" };
}

export function machineShown(r: RolloutFacts, w: WaveFacts, m: MachineFacts): Shown {
  switch (m.phase) {
    case "done":
      return { tone: "done", label: "done" };
    case "failed":
      return { tone: "failed", label: "failed", detail: m.error ?? undefined };
    case "skipped":
      return { tone: "stopped", label: "skipped", detail: m.error ?? undefined };
    case "pulling":
    case "upgrading":
      return { tone: "active", label: m.phase };
  }
  // pending or pulled: not started
  const pulled = m.phase === "pulled" ? "installer pulled; " : "";
  if (r.status === "aborted" || r.status === "aborting")
    return { tone: "stopped", label: "not started (aborted)" };
  if (r.status === "rejected") return { tone: "stopped", label: "not started (rejected)" };
  if (ENDED.has(r.status)) return { tone: "stopped", label: "not started" };
  if (w.index > r.currentWave)
    return { tone: "waiting", label: "waiting", detail: `${pulled}${w.name} has not started` };
  if (r.status === "pending" || (w.status === "pending" && !w.autoAdvance))
    return { tone: "waiting", label: "waiting", detail: `${pulled}${w.name} awaits approval` };
  if (r.status === "paused")
    return {
      tone: "attention",
      label: "paused",
      detail: `${pulled}${r.statusReason || "the rollout is paused"}`,
    };
  if (m.hold)
    return {
      tone: "waiting",
      label: "waiting",
      detail: `${pulled}${m.hold}`,
      ...(m.holdUntil ? { until: m.holdUntil } : {}),
    };
  return {
    tone: "waiting",
    label: m.phase === "pulled" ? "pulled" : "waiting",
    detail: pulled ? "installer pulled; next in line" : "next in line",
  };
}
