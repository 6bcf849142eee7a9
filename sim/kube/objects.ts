// Shapes of the Kubernetes objects the simulator serves, kept as plain JSON, and the helpers they share.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  // biome-ignore lint/suspicious/noExplicitAny: served as JSON, shaped per kind
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: served as JSON, shaped per kind
  status?: any;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Kubernetes's time format: RFC 3339 at second precision, UTC. */
export function kubeTime(ms: number = Date.now()): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function keyOf(o: KubeObject): string {
  return objectKey(o.metadata.namespace, o.metadata.name);
}

export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

export function isMirrorPod(pod: KubeObject): boolean {
  return pod.metadata.annotations?.["kubernetes.io/config.mirror"] !== undefined;
}

export function podReady(pod: KubeObject): boolean {
  const c = (pod.status?.conditions as Condition[] | undefined)?.find((x) => x.type === "Ready");
  return c?.status === "True";
}

export function nodeReadyCondition(node: KubeObject): Condition | undefined {
  return (node.status?.conditions as Condition[] | undefined)?.find((c) => c.type === "Ready");
}

/** Whether a toleration list tolerates a taint (k8s.io/api/core/v1 `Toleration.ToleratesTaint`). */
export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}
