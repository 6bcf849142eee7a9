// Faults a node can carry (from CLI flags or the control API) and their validation.

export type ServiceFaultMode = "failed" | "unhealthy" | "flapping";

export interface NodeFaults {
  /** apid of this node does not answer: `refused` fails fast with Unavailable, `hang` waits out the caller's deadline. */
  unreachable?: { mode: "refused" | "hang" };
  /** Extra real milliseconds before every response of this node. */
  slowMs?: number;
  /** Per service id: failed (state Failed), unhealthy (Running, health check failing), flapping (alternates). */
  services?: Record<string, { mode: ServiceFaultMode; periodMs?: number }>;
  /** The next upgrade fails at this phase (e.g. "upgrade", "drain"); the node reboots back on its old version. */
  upgradeFailAt?: string;
  /** The next upgrade appears to succeed but the node boots its old version again. */
  comeBackOldVersion?: boolean;
  /** After its next reboot the node never answers again. */
  neverComeBack?: boolean;
  /** The machine left its cluster (reset, or powered off for good): gone from Members, apid silent. Clearing it joins the machine again. */
  left?: true;
  /** The node's machine config differs from its cluster's: a dotted path and the value it has instead. */
  drift?: { path: string; value: unknown };
  /** The node booted with other kernel arguments than its cluster: these added (`k=v` or `k`) and these removed (by key). */
  kernelArgs?: { add: string[]; remove: string[] };
  /** The node runs other system extensions than its cluster: these added and these removed (catalog names). */
  extensions?: { add: string[]; remove: string[] };
  /** The node runs an Image Factory image of this schematic: its extensions (names as Image Factory takes them,
   * `siderolabs/…`) and extra kernel arguments. Empty lists: the empty schematic (`customization: {}`). */
  schematic?: { extensions: string[]; kernelArgs: string[] };
  /** A service writing its log as fast as this (lines per real second) while the fault is set. */
  logFlood?: { log: string; linesPerSecond: number };
  /** The node hosts a pod of the StatefulSet `vault` whose budget (maxUnavailable 0) refuses every eviction. */
  pdbBlock?: true;
  /** After its next boot the node's Kubernetes Node never turns Ready (Talos itself comes back RUNNING). */
  kubeNeverReady?: true;
  /** After its next boot the containers the node starts crash at once and back off (CrashLoopBackOff). */
  crashLoop?: true;
}

export const FAULT_KINDS = [
  "unreachable",
  "slow",
  "service",
  "upgrade-fail",
  "old-version",
  "never-back",
  "drift",
  "left",
  "kernel-args",
  "extensions",
  "schematic",
  "log-flood",
  "pdb-block",
  "kube-never-ready",
  "crash-loop",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export class FaultError extends Error {}

/** Applies one fault described as JSON (control API body or parsed CLI flag) onto a node's fault set. */
export function applyFault(faults: NodeFaults, body: Record<string, unknown>): NodeFaults {
  const kind = body.kind;
  const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : undefined);
  const num = (k: string) => (typeof body[k] === "number" ? (body[k] as number) : undefined);
  switch (kind) {
    case "unreachable": {
      const mode = str("mode") ?? "refused";
      if (mode !== "refused" && mode !== "hang")
        throw new FaultError('unreachable mode must be "refused" or "hang"');
      return { ...faults, unreachable: { mode } };
    }
    case "slow": {
      const ms = num("delayMs");
      if (ms === undefined || ms < 0) throw new FaultError("slow needs delayMs >= 0");
      return { ...faults, slowMs: ms };
    }
    case "service": {
      const service = str("service");
      const mode = str("mode") ?? "failed";
      if (!service) throw new FaultError("service fault needs a service id");
      if (mode !== "failed" && mode !== "unhealthy" && mode !== "flapping") {
        throw new FaultError('service mode must be "failed", "unhealthy" or "flapping"');
      }
      return { ...faults, services: { ...faults.services, [service]: { mode, periodMs: num("periodMs") } } };
    }
    case "upgrade-fail": {
      const phase = str("phase") ?? "upgrade";
      return { ...faults, upgradeFailAt: phase };
    }
    case "old-version":
      return { ...faults, comeBackOldVersion: true };
    case "never-back":
      return { ...faults, neverComeBack: true };
    case "left":
      return { ...faults, left: true };
    case "drift": {
      const path = str("path") ?? "machine.kubelet.extraArgs.max-pods";
      const value = body.value ?? "250";
      return { ...faults, drift: { path, value } };
    }
    case "kernel-args":
      return { ...faults, kernelArgs: addRemove(body, "kernel-args") };
    case "extensions":
      return { ...faults, extensions: addRemove(body, "extensions") };
    case "schematic":
      return {
        ...faults,
        schematic: {
          extensions: strings(body, "schematic", "extensions"),
          kernelArgs: strings(body, "schematic", "kernelArgs"),
        },
      };
    case "log-flood": {
      const log = str("log") ?? "kubelet";
      const linesPerSecond = num("linesPerSecond") ?? 10_000;
      if (!(linesPerSecond > 0 && linesPerSecond <= 2_000_000))
        throw new FaultError("log-flood needs linesPerSecond between 1 and 2000000");
      return { ...faults, logFlood: { log, linesPerSecond } };
    }
    case "pdb-block":
      return { ...faults, pdbBlock: true };
    case "kube-never-ready":
      return { ...faults, kubeNeverReady: true };
    case "crash-loop":
      return { ...faults, crashLoop: true };
    default:
      throw new FaultError(`unknown fault kind ${JSON.stringify(kind)}; known: ${FAULT_KINDS.join(", ")}`);
  }
}

/** A list of a fault body: a string (CLI flags give `a+b`) or an array of strings; absent is empty. */
function strings(body: Record<string, unknown>, kind: string, k: string): string[] {
  const v = body[k];
  if (v === undefined) return [];
  if (typeof v === "string") return v.split("+").filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  throw new FaultError(`${kind} fault: ${k} must be a string or an array of strings`);
}

/** `add`/`remove` of a kernel-args or extensions fault. */
function addRemove(body: Record<string, unknown>, kind: string): { add: string[]; remove: string[] } {
  const add = strings(body, kind, "add");
  const remove = strings(body, kind, "remove");
  if (add.length + remove.length === 0) throw new FaultError(`${kind} fault needs add or remove`);
  return { add, remove };
}

/** Removes one kind of fault (or every fault when kind is undefined). */
export function clearFault(faults: NodeFaults, kind?: string, service?: string): NodeFaults {
  if (kind === undefined) return {};
  const next = { ...faults };
  switch (kind) {
    case "unreachable":
      delete next.unreachable;
      break;
    case "slow":
      delete next.slowMs;
      break;
    case "service":
      if (service && next.services) {
        const { [service]: _removed, ...rest } = next.services;
        next.services = rest;
      } else delete next.services;
      break;
    case "upgrade-fail":
      delete next.upgradeFailAt;
      break;
    case "old-version":
      delete next.comeBackOldVersion;
      break;
    case "never-back":
      delete next.neverComeBack;
      break;
    case "drift":
      delete next.drift;
      break;
    case "left":
      delete next.left;
      break;
    case "log-flood":
      delete next.logFlood;
      break;
    case "kernel-args":
      delete next.kernelArgs;
      break;
    case "extensions":
      delete next.extensions;
      break;
    case "schematic":
      delete next.schematic;
      break;
    case "pdb-block":
      delete next.pdbBlock;
      break;
    case "kube-never-ready":
      delete next.kubeNeverReady;
      break;
    case "crash-loop":
      delete next.crashLoop;
      break;
    default:
      throw new FaultError(`unknown fault kind ${JSON.stringify(kind)}`);
  }
  return next;
}

/** Parses a CLI fault flag: `<node>:<kind>[:k=v,...]`, e.g. `prod-fra-1-w-2:service:service=kubelet,mode=flapping`. */
export function parseFaultFlag(flag: string): { node: string; body: Record<string, unknown> } {
  const [node, kind, params] = flag.split(":");
  if (!node || !kind)
    throw new FaultError(`bad --fault ${JSON.stringify(flag)}: expected <node>:<kind>[:k=v,...]`);
  const body: Record<string, unknown> = { kind };
  for (const pair of (params ?? "").split(",").filter(Boolean)) {
    const [k, v = ""] = pair.split("=");
    if (!k) continue;
    body[k] = /^\d+$/.test(v) ? Number(v) : v;
  }
  return { node, body };
}
