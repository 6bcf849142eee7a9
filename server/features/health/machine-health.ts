// The machine health model: one state and a reason in words, from what the collector knows of a machine.
import { ago, type Health } from "../../model/health-words";

export interface ServiceState {
  id: string;
  /** Running, Waiting, Failed, Finished, … as Talos names them. */
  state: string;
  healthy: boolean;
  /** Talos has no health check result for it (yet). */
  unknown: boolean;
  message?: string;
}

export interface MachineFacts {
  /** Talos machine stage, lower-case: booting, running, upgrading, rebooting, maintenance, … */
  stage: string;
  ready: boolean;
  unmetConditions: ReadonlyArray<{ name: string; reason: string }>;
  services: ReadonlyArray<ServiceState>;
  reachable: boolean;
  lastSeenAt: Date | null;
  /** Why the last attempt to reach it failed, in words. */
  lastError?: string | null;
  /** How long the last periodic read took, when known: a slow machine is degraded. */
  responseMs?: number;
  /** The machine's Kubernetes Node: Ready or not, and why (undefined: not seen). */
  kubeReady?: boolean;
  kubeReason?: string;
}

export interface HealthVerdict {
  health: Health;
  reason: string;
}

export interface MachineHealthOptions {
  /** No contact for longer than this and the stored state is no longer believed (default 5 min). */
  staleAfterMs?: number;
  /** Answers slower than this mark the machine degraded (default 2 s). */
  slowAfterMs?: number;
}

export const DEFAULT_STALE_AFTER_MS = 5 * 60_000;
export const DEFAULT_SLOW_AFTER_MS = 2_000;

/** Services whose failure takes the machine out of service: Kubernetes or Talos itself stops working. */
export const CRITICAL_SERVICES = new Set([
  "apid",
  "containerd",
  "cri",
  "etcd",
  "kubelet",
  "machined",
  "trustd",
]);

/** Conditions that mean the machine cannot do its job as a Kubernetes node. */
const CRITICAL_CONDITIONS = new Set(["nodeReady", "staticPods"]);

/** Stages that are part of an upgrade or a planned reboot: expected to pass. */
const TRANSITIONAL_STAGES = new Set(["upgrading", "rebooting", "installing"]);

/** How long a machine that went quiet while rebooting or upgrading counts as rebooting, not unreachable. */
export const PLANNED_REBOOT_MS = 10 * 60_000;

/** Stages in which the machine is deliberately out of service. */
const OUT_OF_SERVICE: Record<string, string> = {
  maintenance: "in maintenance mode (no machine configuration applied)",
  shutting_down: "shutting down",
  resetting: "being reset",
};

/** States a service passes through on its way up: not a failure while the machine boots. */
const STARTING = new Set(["Initialized", "Preparing", "Waiting", "Starting"]);

/**
 * The health of one machine at `now`. Order matters: a machine we cannot reach, or have not heard from
 * for too long, is never reported from its last (possibly healthy) state.
 */
export function machineHealth(m: MachineFacts, now: Date, opts: MachineHealthOptions = {}): HealthVerdict {
  const staleAfter = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const slowAfter = opts.slowAfterMs ?? DEFAULT_SLOW_AFTER_MS;

  if (!m.reachable) {
    if (!m.lastSeenAt && !m.lastError) return { health: "unknown", reason: "not contacted yet" };
    // Quiet since it began rebooting or upgrading (machined said so before apid stopped): a planned
    // reboot, not an outage, for as long as a reboot may take.
    const lastStage = m.stage.toLowerCase();
    if (
      TRANSITIONAL_STAGES.has(lastStage) &&
      m.lastSeenAt &&
      now.getTime() - m.lastSeenAt.getTime() <= PLANNED_REBOOT_MS
    ) {
      return {
        health: "upgrading",
        reason: `${lastStage}: planned reboot, back soon (last seen ${ago(m.lastSeenAt, now)})`,
      };
    }
    const why = m.lastError ? `${m.lastError}; ` : "";
    return {
      health: "unreachable",
      reason: `${why}${m.lastSeenAt ? `last seen ${ago(m.lastSeenAt, now)}` : "never seen"}`,
    };
  }
  if (!m.lastSeenAt) return { health: "unknown", reason: "not contacted yet" };
  if (now.getTime() - m.lastSeenAt.getTime() > staleAfter) {
    return { health: "unknown", reason: `no fresh state: last seen ${ago(m.lastSeenAt, now)}` };
  }

  const stage = m.stage.toLowerCase();
  if (TRANSITIONAL_STAGES.has(stage)) return { health: "upgrading", reason: stage };
  const outOfService = OUT_OF_SERVICE[stage];
  if (outOfService) return { health: "unhealthy", reason: outOfService };
  if (stage !== "running" && stage !== "booting") {
    return { health: "unknown", reason: `stage ${stage || "unknown"}` };
  }

  const unhealthy: string[] = [];
  const degraded: string[] = [];
  const booting = stage === "booting";

  for (const s of m.services) {
    const critical = CRITICAL_SERVICES.has(s.id);
    const detail = s.message ? ` (${s.message})` : "";
    if (s.state === "Running") {
      if (!s.unknown && !s.healthy) (critical ? unhealthy : degraded).push(`${s.id} not healthy${detail}`);
    } else if (s.state === "Finished" || s.state === "Skipped") {
      // Finished one-shot services and services this machine does not run are fine.
    } else if (booting && STARTING.has(s.state)) {
      // Still starting: reported through the boot itself.
    } else {
      const what = s.state === "Failed" ? "failed" : `${s.state.toLowerCase()}`;
      (critical ? unhealthy : degraded).push(`${s.id} ${what}${detail}`);
    }
  }

  if (!m.ready) {
    const named = new Set([...unhealthy, ...degraded].map((t) => t.split(" ")[0]));
    for (const c of m.unmetConditions) {
      if (c.name === "services") {
        // "kubelet not running, etcd not healthy": keep only what the service list did not say already
        // (the list may lag behind the watched status).
        for (const part of c.reason.split(/,\s*/)) {
          const id = part.split(" ")[0] ?? "";
          if (named.has(id)) continue;
          (CRITICAL_SERVICES.has(id) && !booting ? unhealthy : degraded).push(part);
        }
        continue;
      }
      const text = `${c.name}: ${c.reason}`;
      (CRITICAL_CONDITIONS.has(c.name) && !booting ? unhealthy : degraded).push(text);
    }
    if (m.unmetConditions.length === 0) degraded.push("not ready");
  }

  // Kubernetes's own view of the node, unless Talos already said it is not ready.
  if (m.kubeReady === false && !booting && !m.unmetConditions.some((c) => c.name === "nodeReady")) {
    unhealthy.push(`Kubernetes node NotReady${m.kubeReason ? ` (${m.kubeReason})` : ""}`);
  }

  if (unhealthy.length > 0) return { health: "unhealthy", reason: [...unhealthy, ...degraded].join("; ") };
  if (booting) {
    return { health: "degraded", reason: ["booting", ...degraded].join("; ") };
  }
  if (m.responseMs !== undefined && m.responseMs > slowAfter) {
    degraded.push(`answers slowly (${(m.responseMs / 1000).toFixed(1)} s)`);
  }
  if (degraded.length > 0) return { health: "degraded", reason: degraded.join("; ") };
  return { health: "healthy", reason: "" };
}

/**
 * A stored verdict as of `now`: what the collector wrote, unless nobody has updated the machine for
 * longer than the staleness limit (its collector died, the database was restored…). For readers.
 */
export function currentHealth(
  stored: { health: Health; healthReason: string; lastSeenAt: Date | null; reachable: boolean },
  now: Date,
  opts: Pick<MachineHealthOptions, "staleAfterMs"> = {},
): HealthVerdict {
  const staleAfter = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  if (stored.lastSeenAt && now.getTime() - stored.lastSeenAt.getTime() > staleAfter) {
    if (stored.health === "unreachable") {
      return {
        health: "unreachable",
        reason: stored.healthReason.replace(/last seen .*$/, `last seen ${ago(stored.lastSeenAt, now)}`),
      };
    }
    return { health: "unknown", reason: `no fresh state: last seen ${ago(stored.lastSeenAt, now)}` };
  }
  return { health: stored.health, reason: stored.healthReason };
}
