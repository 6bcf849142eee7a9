// Turns a stored event payload into one plain sentence ("Service kubelet failed: …"). The text is
// hostile input from a node: it is only ever rendered as text.
import type { TalosEventPayload } from "../../talos";

/** A stored payload: the decoded event, plus how long a phase, task or sequence took on its stop. */
export type StoredPayload = Exclude<TalosEventPayload, { type: "hello" }> & {
  /** Milliseconds since the matching start event, on stop events whose start was seen. */
  durationMs?: number;
  /** false when the duration comes from event ids alone (whole seconds). */
  durationExact?: boolean;
  /** The time the node's event id carried when it could not be right (event-row.ts); the event is timed at receipt. */
  nodeTime?: string;
};

/** "340 ms", "1.2 s", "45 s", "3 min 5 s", "1 h 2 min"; whole-second durations say "under 1 s" for 0. */
export function formatDuration(ms: number, exact = true): string {
  if (!exact) {
    const s = Math.round(ms / 1000);
    if (s < 1) return "under 1 s";
    if (s < 120) return `about ${s} s`;
    return `about ${formatDuration(ms)}`;
  }
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function took(p: StoredPayload): string {
  return p.durationMs === undefined ? "" : ` in ${formatDuration(p.durationMs, p.durationExact !== false)}`;
}

function withDetail(sentence: string, detail: string | undefined): string {
  const d = detail?.trim();
  return d ? `${sentence}: ${d}` : sentence;
}

const SERVICE_VERBS: Record<string, string> = {
  INITIALIZED: "was initialized",
  PREPARING: "is preparing",
  WAITING: "is waiting",
  STARTING: "is starting",
  RUNNING: "is running",
  STOPPING: "is stopping",
  FINISHED: "finished",
  FAILED: "failed",
  SKIPPED: "was skipped",
};

const RESTARTS: Record<string, string> = {
  RESTART: "Machine is rebooting",
  KEXEC: "Machine is rebooting into a new kernel (kexec)",
  POWER_OFF: "Machine is powering off",
};

/** Stages where Talos reports readiness (elsewhere it always says ready). */
const READINESS_STAGES = new Set(["BOOTING", "RUNNING"]);

export function describeEvent(p: StoredPayload): string {
  const sentence = describePayload(p);
  if (!p.nodeTime) return sentence;
  return `${sentence} (timed when Minos received it: the node's clock said ${p.nodeTime.slice(0, 19).replace("T", " ")} UTC)`;
}

function describePayload(p: StoredPayload): string {
  switch (p.type) {
    case "sequence": {
      if (p.error) {
        const what =
          p.error.code === "LOCKED"
            ? "could not start"
            : p.error.code === "CANCELED"
              ? "was canceled"
              : "failed";
        return withDetail(`Sequence ${p.sequence} ${what}`, p.error.message);
      }
      if (p.action === "START") return `Sequence ${p.sequence} started`;
      if (p.action === "STOP") return `Sequence ${p.sequence} finished${took(p)}`;
      return `Sequence ${p.sequence}: ${p.action.toLowerCase()}`;
    }
    case "phase":
      return p.action === "START" ? `Phase ${p.phase} started` : `Phase ${p.phase} finished${took(p)}`;
    case "task":
      return p.action === "START" ? `Task ${p.task} started` : `Task ${p.task} finished${took(p)}`;
    case "serviceState": {
      const verb = SERVICE_VERBS[p.action] ?? `is ${p.action.toLowerCase()}`;
      let sentence = withDetail(`Service ${p.service} ${verb}`, p.message);
      if (p.health && !p.health.unknown && p.action === "RUNNING") {
        sentence += p.health.healthy
          ? " (healthy)"
          : ` (unhealthy${p.health.lastMessage ? `: ${p.health.lastMessage}` : ""})`;
      }
      return sentence;
    }
    case "machineStatus": {
      const stage = p.stage.toLowerCase().replaceAll("_", " ");
      if (!READINESS_STAGES.has(p.stage)) return `Machine is ${stage}`;
      if (p.ready) return `Machine is ${stage} and ready`;
      const unmet = p.unmetConditions.map((c) => (c.reason ? `${c.name} (${c.reason})` : c.name));
      return withDetail(`Machine is ${stage}, not ready`, unmet.join("; "));
    }
    case "address": {
      const list = p.addresses.length ? p.addresses.join(", ") : "none";
      return `Addresses changed to ${list}${p.hostname ? ` (hostname ${p.hostname})` : ""}`;
    }
    case "restart":
      return RESTARTS[p.command] ?? `Machine restart requested (command ${p.command})`;
    case "configLoadError":
      return withDetail("Configuration could not be loaded", p.error);
    case "configValidationError":
      return withDetail("Configuration is not valid", p.error);
    case "unknown":
      return `Event of a kind Minos does not decode (${p.typeUrl || "no type"})`;
  }
}
