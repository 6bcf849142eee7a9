// What the kubelet posts for its Node and what the node lifecycle controller writes when it stops posting
// (kubernetes pkg/kubelet/nodestatus/setters.go, pkg/controller/nodelifecycle/node_lifecycle_controller.go).
import type { SimNode } from "../node";
import type { Condition, Taint } from "./objects";

/** kube-controller-manager's --node-monitor-grace-period default: 50 s since Kubernetes 1.32, 40 s before. */
export function nodeMonitorGracePeriodMs(kubernetesVersion: string): number {
  const m = /^v?(\d+)\.(\d+)/.exec(kubernetesVersion);
  const minor = m ? Number(m[2]) : 99;
  return Number(m?.[1] ?? 1) > 1 || minor >= 32 ? 50_000 : 40_000;
}

/** kubelet's nodeStatusReportFrequency: an unchanged status is still reported every 5 minutes. */
export const NODE_STATUS_REPORT_MS = 5 * 60_000;
/** How long a started kubelet reports NotReady before its runtime and PLEG checks pass. */
export const KUBELET_READY_DELAY_MS = 5_000;

export type Reported = { status: "True" | "False"; reason: string; message: string };

const MSG_STARTING =
  "[container runtime status check may not have completed yet, PLEG is not healthy: pleg has yet to be successful]";
const MSG_PLEG = "PLEG is not healthy: pleg was last seen active 3m0.118s ago; threshold is 3m0s";
const MSG_CNI =
  "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized";

/** The kubelet runs (and can reach the API server) on this machine. */
export function kubeletRunning(node: SimNode): boolean {
  if (node.faults.unreachable || node.faults.left || node.kubeletStopped) return false;
  const def = node.serviceDefs().find((d) => d.id === "kubelet");
  return def !== undefined && node.service(def).state === "Running";
}

/** The Ready condition a running kubelet reports (setters.go `ReadyCondition`). */
export function kubeletReady(node: SimNode, upForMs: number, readyDelayMs: number): Reported {
  if (upForMs < readyDelayMs) return { status: "False", reason: "KubeletNotReady", message: MSG_STARTING };
  const def = node.serviceDefs().find((d) => d.id === "kubelet");
  const health = def ? node.service(def).health : undefined;
  if (health && !health.unknown && !health.healthy)
    return { status: "False", reason: "KubeletNotReady", message: MSG_PLEG };
  if ((node.spec.issue === "node-not-ready" && node.bootCount === 0) || node.kubeBlocked)
    return { status: "False", reason: "KubeletNotReady", message: MSG_CNI };
  return { status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" };
}

/** The pressure conditions a healthy kubelet reports, all False. */
export const PRESSURE: ReadonlyArray<{ type: string; reason: string; message: string }> = [
  {
    type: "MemoryPressure",
    reason: "KubeletHasSufficientMemory",
    message: "kubelet has sufficient memory available",
  },
  { type: "DiskPressure", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
  { type: "PIDPressure", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
];

/** Conditions the lifecycle controller sets once the grace period passes without a heartbeat. */
export function unknownConditions(prev: Condition[], nowIso: string): Condition[] {
  const types = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];
  return types.map((type) => {
    const p = prev.find((c) => c.type === type);
    return {
      type,
      status: "Unknown",
      lastHeartbeatTime: p?.lastHeartbeatTime ?? nowIso,
      lastTransitionTime: p?.status === "Unknown" ? (p.lastTransitionTime ?? nowIso) : nowIso,
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    };
  });
}

/** Taint keys the node lifecycle controller manages (TaintNodesByCondition and the NoExecute taints). */
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
const MANAGED = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE]);

/** The node's taints with the managed ones set from its Ready status and spec.unschedulable. */
export function managedTaints(
  current: Taint[] | undefined,
  ready: string | undefined,
  unschedulable: boolean,
  nowIso: string,
): Taint[] {
  const keep = (current ?? []).filter((t) => !MANAGED.has(t.key));
  const want: Taint[] = [];
  const key = ready === "False" ? TAINT_NOT_READY : ready === "Unknown" ? TAINT_UNREACHABLE : undefined;
  if (key) {
    const prevNoExec = current?.find((t) => t.key === key && t.effect === "NoExecute");
    want.push({ key, effect: "NoSchedule" });
    want.push({ key, effect: "NoExecute", timeAdded: prevNoExec?.timeAdded ?? nowIso });
  }
  if (unschedulable) {
    const prev = current?.find((t) => t.key === TAINT_UNSCHEDULABLE);
    want.push({ key: TAINT_UNSCHEDULABLE, effect: "NoSchedule", timeAdded: prev?.timeAdded ?? nowIso });
  }
  return [...keep, ...want];
}
