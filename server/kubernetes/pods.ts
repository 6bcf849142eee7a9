// What a pod is to a drain, decided as kubectl's drain helper decides it (k8s.io/kubectl/pkg/drain/filters.go):
// DaemonSet pods and mirror (static) pods are left where they are, finished pods need no eviction, pods with
// no controller are deleted for good by a forced drain, emptyDir data goes with the pod.
import type { V1Pod } from "@kubernetes/client-node";

/** The annotation the kubelet puts on the API copy of a static pod. */
export const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

export function podName(p: V1Pod): string {
  return `${p.metadata?.namespace ?? "default"}/${p.metadata?.name ?? "?"}`;
}

export function controllerOf(p: V1Pod): { kind: string; name: string } | undefined {
  const ref = p.metadata?.ownerReferences?.find((r) => r.controller);
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

export function isMirrorPod(p: V1Pod): boolean {
  return p.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined;
}

export function isDaemonSetPod(p: V1Pod): boolean {
  return controllerOf(p)?.kind === "DaemonSet";
}

export function isFinished(p: V1Pod): boolean {
  return p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
}

export function usesEmptyDir(p: V1Pod): boolean {
  return (p.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined);
}

/** Pods a drain must move off the node: all but DaemonSet pods, mirror pods and pods already being deleted. */
export function podsToEvict(pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter(
    (p) => !isMirrorPod(p) && !isDaemonSetPod(p) && p.metadata?.deletionTimestamp === undefined,
  );
}

/** Workload pods: those a reboot without drain would kill (not DaemonSet, not mirror, not finished). */
export function workloadPods(pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter((p) => !isMirrorPod(p) && !isDaemonSetPod(p) && !isFinished(p));
}

/** A pod in trouble as a person checking a cluster after a change would see it. */
export interface TroubledPod {
  /** "namespace/name" */
  pod: string;
  node: string;
  reason: "Pending" | "CrashLoopBackOff";
}

/**
 * Pods Pending (not scheduled, or not started) or with a container in CrashLoopBackOff; pods being
 * deleted and finished pods are left out.
 */
export function troubledPods(pods: readonly V1Pod[]): TroubledPod[] {
  const out: TroubledPod[] = [];
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp !== undefined || isFinished(p)) continue;
    const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
    const reason = statuses.some((c) => c.state?.waiting?.reason === "CrashLoopBackOff")
      ? "CrashLoopBackOff"
      : p.status?.phase === "Pending"
        ? "Pending"
        : undefined;
    if (reason) out.push({ pod: podName(p), node: p.spec?.nodeName ?? "", reason });
  }
  return out;
}
