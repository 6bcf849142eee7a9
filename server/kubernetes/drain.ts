// Drains a node the way `kubectl drain --force --ignore-daemonsets --delete-emptydir-data` does, as talosctl
// runs it before a reboot (siderolabs/go-kubernetes kubernetes/nodedrain → k8s.io/kubectl/pkg/drain):
// every pod but DaemonSet and mirror pods is evicted through the Eviction API, which honours
// PodDisruptionBudgets; a refusal (429) is retried every few seconds; the drain waits until each evicted pod
// is gone; past the timeout it stops and says what still blocks it.
import { setTimeout as sleep } from "node:timers/promises";
import type { V1Pod } from "@kubernetes/client-node";
import { KubeError } from "./errors";
import type { KubeCall, KubeClient } from "./kube-client";
import { controllerOf, podName, podsToEvict } from "./pods";

export interface DrainProgress {
  /** Pods the drain has to move off the node. */
  total: number;
  /** Of those, still on the node. */
  left: number;
  /** Why pods cannot be evicted yet, one line per distinct reason ("PDB shop/tills-pdb allows 0 …"). */
  blocked: string[];
}

export interface DrainOptions extends KubeCall {
  /** The whole drain's limit (talosctl's --drain-timeout, 5 min by default). */
  timeoutMs: number;
  /** Wait between attempts at a refused eviction (kubectl: 5 s). */
  retryMs?: number;
  /** Called just before each eviction request leaves; throwing stops the drain. */
  guard?: () => void;
  onProgress?: (p: DrainProgress) => void;
}

export interface DrainResult {
  evicted: number;
  /** Pods without a controller the drain removed: they are gone for good (kubectl drain --force). */
  unmanagedRemoved: string[];
  ms: number;
}

/** The drain did not finish in time; `progress` says what was left and why. */
export class DrainTimeoutError extends KubeError {
  override name = "DrainTimeoutError";
  constructor(
    node: string,
    timeoutMs: number,
    readonly progress: DrainProgress,
  ) {
    const why = progress.blocked.length ? `: ${progress.blocked.join("; ")}` : "";
    super(
      `drain of node ${node} timed out after ${Math.round(timeoutMs / 1000)} s with ${progress.left} of ${progress.total} pods still on it${why}`,
      0,
      "DrainTimeout",
    );
  }
}

interface Pending {
  pod: V1Pod;
  uid: string | undefined;
  state: "evict" | "deleting" | "gone";
  blocked?: string;
}

export async function drain(kube: KubeClient, node: string, o: DrainOptions): Promise<DrainResult> {
  const started = Date.now();
  const retryMs = o.retryMs ?? 5_000;
  const call = { signal: o.signal };
  const pods: Pending[] = podsToEvict(await kube.podsOnNode(node, call)).map((pod) => ({
    pod,
    uid: pod.metadata?.uid,
    state: "evict",
  }));
  const unmanaged = pods.filter((p) => !controllerOf(p.pod));
  const progress = (): DrainProgress => ({
    total: pods.length,
    left: pods.filter((p) => p.state !== "gone").length,
    blocked: [...new Set(pods.flatMap((p) => (p.state === "evict" && p.blocked ? [p.blocked] : [])))],
  });
  for (;;) {
    await Promise.all(
      pods.map(async (p) => {
        const ns = p.pod.metadata?.namespace ?? "default";
        const name = p.pod.metadata?.name ?? "";
        if (p.state === "evict") {
          o.guard?.();
          try {
            await kube.evict(ns, name, call);
            p.state = "deleting";
            p.blocked = undefined;
          } catch (err) {
            if (!(err instanceof KubeError)) throw err;
            if (err.code === 404) p.state = "gone";
            else if (err.code === 429) p.blocked = blockedBy(p.pod, err);
            else if (err.code === 0 || err.code >= 500) p.blocked = `${podName(p.pod)}: ${err.message}`;
            else throw err;
          }
        }
        if (p.state === "deleting") {
          const now = await kube.getPod(ns, name, call);
          // Gone, or a new pod of the same name (a StatefulSet's) in its place.
          if (!now || now.metadata?.uid !== p.uid) p.state = "gone";
        }
      }),
    );
    const now = progress();
    if (now.left === 0) {
      o.onProgress?.(now);
      return {
        evicted: pods.length,
        unmanagedRemoved: unmanaged.map((p) => podName(p.pod)),
        ms: Date.now() - started,
      };
    }
    o.onProgress?.(now);
    if (Date.now() - started >= o.timeoutMs) throw new DrainTimeoutError(node, o.timeoutMs, now);
    const blocked = pods.some((p) => p.state === "evict");
    await sleep(
      Math.min(blocked ? retryMs : 1_000, Math.max(0, o.timeoutMs - (Date.now() - started))),
      undefined,
      {
        signal: o.signal,
      },
    );
  }
}

/** The eviction's refusal in words: which budget, how many disruptions it allows, how many pods it needs. */
export function blockedBy(pod: V1Pod, err: KubeError): string {
  const ns = pod.metadata?.namespace ?? "default";
  for (const cause of [...err.causes, err.message]) {
    // k8s pkg/registry/core/pod/storage/eviction.go: "The disruption budget %s needs %d healthy pods and has %d currently"
    const m = cause.match(/disruption budget (\S+) needs (\d+) healthy pods and has (\d+) currently/);
    if (m) {
      const [, budget, needs, has] = m;
      const detail =
        needs === has ? `${has} of ${needs} healthy required` : `needs ${needs} healthy, has ${has}`;
      return `PDB ${ns}/${budget} allows 0 disruptions (${detail})`;
    }
  }
  return `${podName(pod)}: eviction refused (${err.message})`;
}
