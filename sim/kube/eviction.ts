// The pods/eviction subresource (kubernetes pkg/registry/core/pod/storage/eviction.go `EvictionREST.Create`)
// and pod deletion, plus the drain Talos runs in its upgrade sequence (talos pkg/kubernetes/kubernetes.go).
import { machinedLine } from "../log-formats";
import type { SimNode } from "../node";
import type { KubeCluster } from "./cluster";
import { controllerOf, isMirrorPod, type KubeObject, objectKey, podReady } from "./objects";
import { labelSelectorMatches } from "./selectors";
import { type KubeStatus, statusOf } from "./status";

export type EvictResult = { ok: true } | { ok: false; status: KubeStatus };

interface DeleteOptions {
  gracePeriodSeconds?: number;
  dryRun?: string[];
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** policy/v1 Eviction (policy/v1beta1 accepted too), with its DeleteOptions. */
export interface Eviction {
  metadata?: { name?: string; namespace?: string };
  deleteOptions?: DeleteOptions;
}

const MSG_429 = "Cannot evict pod as it would violate the pod's disruption budget.";

function preconditionFailed(pod: KubeObject, opts: DeleteOptions | undefined): KubeStatus | undefined {
  const p = opts?.preconditions;
  if (p?.uid && p.uid !== pod.metadata.uid)
    return statusOf(
      409,
      "Conflict",
      `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${pod.metadata.uid}`,
      { name: pod.metadata.name, kind: "pods" },
    );
  if (p?.resourceVersion && p.resourceVersion !== pod.metadata.resourceVersion)
    return statusOf(
      409,
      "Conflict",
      `Operation cannot be fulfilled on pods "${pod.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name: pod.metadata.name, kind: "pods" },
    );
  return undefined;
}

/** DELETE of a pod: graceful by default (deletionTimestamp), immediate with gracePeriodSeconds 0. */
export function deletePod(
  kc: KubeCluster,
  namespace: string,
  name: string,
  opts: DeleteOptions | undefined,
): { pod: KubeObject } | { status: KubeStatus } {
  const pod = kc.store.get("pods", objectKey(namespace, name));
  if (!pod) return { status: statusOf(404, "NotFound", `pods "${name}" not found`, { name, kind: "pods" }) };
  const bad = preconditionFailed(pod, opts);
  if (bad) return { status: bad };
  if (opts?.dryRun?.length) return { pod };
  const out = kc.markDeleted(pod, opts?.gracePeriodSeconds);
  return { pod: out ?? pod };
}

/** EvictionREST.Create: PDB check-and-decrement, then the pod's graceful deletion. */
export function evictPod(kc: KubeCluster, namespace: string, name: string, ev: Eviction): EvictResult {
  const result = evict(kc, namespace, name, ev);
  if (result.ok) kc.stats.evictionsAccepted++;
  else if (result.status.code === 429) kc.stats.evictionsRefused++;
  return result;
}

function evict(kc: KubeCluster, namespace: string, name: string, ev: Eviction): EvictResult {
  if (ev.metadata?.name !== undefined && ev.metadata.name !== name)
    return {
      ok: false,
      status: statusOf(400, "BadRequest", "name in URL does not match name in Eviction object"),
    };
  const pod = kc.store.get("pods", objectKey(namespace, name));
  if (!pod)
    return {
      ok: false,
      status: statusOf(404, "NotFound", `pods "${name}" not found`, { name, kind: "pods" }),
    };
  const opts = ev.deleteOptions;
  const dry = (opts?.dryRun?.length ?? 0) > 0;
  const bad = preconditionFailed(pod, opts);
  if (bad) return { ok: false, status: bad };
  const remove = () => {
    if (!dry)
      kc.markDeleted(pod, opts?.gracePeriodSeconds, {
        reason: "EvictionByEvictionAPI",
        message: "Eviction API: evicting",
      });
    return { ok: true } as const;
  };
  // canIgnorePDB: terminal, pending or already terminating pods are deleted without looking at budgets
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed" || phase === "Pending" || pod.metadata.deletionTimestamp)
    return remove();
  const pdbs = kc.store
    .list("poddisruptionbudgets")
    .filter(
      (b) =>
        b.metadata.namespace === namespace && labelSelectorMatches(b.spec?.selector, pod.metadata.labels),
    );
  if (pdbs.length > 1)
    return {
      ok: false,
      status: statusOf(
        500,
        "InternalError",
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
      ),
    };
  const pdb = pdbs[0];
  if (!pdb) return remove();
  const s = pdb.status ?? {};
  // an unready pod does not count towards healthy: no decrement needed while the budget is met
  if (!podReady(pod) && (s.currentHealthy ?? 0) >= (s.desiredHealthy ?? 0) && (s.desiredHealthy ?? 0) > 0)
    return remove();
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0))
    return {
      ok: false,
      status: statusOf(429, "TooManyRequests", MSG_429, {
        retryAfterSeconds: 10,
        causes: [
          {
            reason: "DisruptionBudget",
            message: `The disruption budget ${pdb.metadata.name} is still being processed by the server.`,
          },
        ],
      }),
    };
  if ((s.disruptionsAllowed ?? 0) === 0)
    return {
      ok: false,
      status: statusOf(429, "TooManyRequests", MSG_429, {
        causes: [
          {
            reason: "DisruptionBudget",
            message: `The disruption budget ${pdb.metadata.name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`,
          },
        ],
      }),
    };
  if (!dry) kc.consumeDisruption(pdb, pod.metadata.name);
  return remove();
}

/** talos pkg/kubernetes: DrainTimeout. */
const DRAIN_TIMEOUT_MS = 5 * 60_000;
/** `evict`: sleep between attempts refused with 429. */
const EVICT_RETRY_MS = 5_000;
/** `waitForPodDeleted`: retry.Constant(time.Minute, retry.WithUnits(3*time.Second)). */
const DELETE_WAIT_MS = 60_000;
const DELETE_POLL_MS = 3_000;

/**
 * Talos's `CordonAndDrainNode` task: the node is already cordoned by the stage controller; every pod on it
 * that is not a mirror pod, not unmanaged and not a DaemonSet's is evicted with a 60 s grace period,
 * retried every 5 s while a budget refuses, until the 5 minute drain timeout; failures are only logged.
 */
export async function talosDrain(
  kc: KubeCluster,
  node: SimNode,
  sleep: (simMs: number) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  const name = kc.nodeName(node);
  const log = (msg: string) => node.appendLog("machined", machinedLine(Date.now(), msg));
  const started = Date.now();
  const deadline = started + kc.real(DRAIN_TIMEOUT_MS);
  const pods = kc.store.list("pods").filter((p) => p.spec?.nodeName === name);
  await Promise.all(
    pods.map(async (p) => {
      const id = `${p.metadata.namespace}/${p.metadata.name}`;
      if (isMirrorPod(p)) return log(`skipping mirror pod ${id}`);
      const ref = controllerOf(p);
      if (!ref) return log(`skipping unmanaged pod ${id}`);
      if (ref.kind === "DaemonSet") return log(`skipping DaemonSet pod ${id}`);
      if (p.metadata.deletionTimestamp) log(`skipping deleted pod ${id}`);
      for (;;) {
        if (stopped()) return;
        if (Date.now() >= deadline) {
          log(`WARNING: failed to evict pod: failed to evict pod ${id}: context deadline exceeded`);
          return;
        }
        const r = evictPod(kc, p.metadata.namespace ?? "default", p.metadata.name, {
          metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
          deleteOptions: { gracePeriodSeconds: 60 },
        });
        if (r.ok) break;
        if (r.status.code === 404) return;
        if (r.status.code !== 429) {
          log(`WARNING: failed to evict pod: failed to evict pod ${id}: ${r.status.message}`);
          return;
        }
        await sleep(EVICT_RETRY_MS);
      }
      const waitUntil = Math.min(deadline, Date.now() + kc.real(DELETE_WAIT_MS));
      for (;;) {
        const cur = kc.store.get("pods", objectKey(p.metadata.namespace, p.metadata.name));
        if (!cur || cur.metadata.uid !== p.metadata.uid) return;
        if (Date.now() >= waitUntil || stopped()) {
          log(
            `WARNING: failed to evict pod: failed waiting on pod ${id} to be deleted: pod is still running on the node`,
          );
          return;
        }
        await sleep(DELETE_POLL_MS);
      }
    }),
  );
}
