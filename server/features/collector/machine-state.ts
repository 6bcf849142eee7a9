// The live state of one machine as the collector holds it, and the changes worth keeping as history.
import { type Health, machineHealth, type ServiceState } from "../health";

export interface LiveMachine {
  id: string;
  clusterId: string;
  hostname: string;
  address: string;
  role: "controlplane" | "worker";
  talosVersion: string;
  kubernetesVersion: string;
  stage: string;
  ready: boolean;
  unmetConditions: Array<{ name: string; reason: string }>;
  services: ServiceState[];
  bootId: string;
  reachable: boolean;
  lastSeenAt: Date | null;
  lastError: string | null;
  health: Health;
  healthReason: string;
  healthSince: Date;
  /** Not stored: how long the last reconcile's Version call took; feeds the "slow" rule. */
  responseMs?: number;
  /** Not stored: whether kube-apiserver runs here (control planes, from the containers list). */
  apiServerRunning?: boolean;
  /** Not stored: errors this control plane's etcd reported. */
  etcdErrors?: string[];
  /** Stored by the node watch, not the writer: the Kubernetes Node's Ready condition (undefined: not seen). */
  kubeReady?: boolean;
  kubeReason?: string;
}

export type MachinePatch = Partial<
  Pick<
    LiveMachine,
    | "talosVersion"
    | "kubernetesVersion"
    | "stage"
    | "ready"
    | "unmetConditions"
    | "services"
    | "bootId"
    | "reachable"
    | "lastSeenAt"
    | "lastError"
    | "responseMs"
    | "apiServerRunning"
    | "etcdErrors"
    | "kubeReady"
    | "kubeReason"
  >
>;

export interface StateChange {
  machineId: string;
  at: Date;
  field: "health" | "talosVersion" | "stage" | "bootId" | "ready" | "reachable";
  fromValue: string;
  toValue: string;
  reason: string;
}

const TRACKED = ["talosVersion", "stage", "bootId", "ready", "reachable"] as const;

/**
 * Applies a patch and recomputes health; returns the history rows it produced and whether anything that
 * is stored changed. Values never read (empty version, boot id) are not recorded as changes from "".
 */
export function applyPatch(
  m: LiveMachine,
  patch: MachinePatch,
  now: Date,
  staleAfterMs: number,
): { changes: StateChange[]; dirty: boolean } {
  const before = { ...m };
  Object.assign(m, patch);
  const changes: StateChange[] = [];
  for (const field of TRACKED) {
    const from = String(before[field]);
    const to = String(m[field]);
    if (from !== to && !(field !== "reachable" && field !== "ready" && to === "")) {
      changes.push({ machineId: m.id, at: now, field, fromValue: from, toValue: to, reason: "" });
    }
  }
  const verdict = machineHealth(m, now, { staleAfterMs });
  if (verdict.health !== m.health) {
    changes.push({
      machineId: m.id,
      at: now,
      field: "health",
      fromValue: m.health,
      toValue: verdict.health,
      reason: verdict.reason,
    });
    m.health = verdict.health;
    m.healthSince = now;
  }
  m.healthReason = verdict.reason;
  const dirty =
    changes.length > 0 ||
    before.healthReason !== m.healthReason ||
    before.lastSeenAt?.getTime() !== m.lastSeenAt?.getTime() ||
    before.lastError !== m.lastError ||
    before.kubernetesVersion !== m.kubernetesVersion ||
    JSON.stringify(before.unmetConditions) !== JSON.stringify(m.unmetConditions) ||
    JSON.stringify(before.services) !== JSON.stringify(m.services);
  return { changes, dirty };
}
