// The Kubernetes side of one cluster as the collector keeps it: a list and then a watch of its Nodes
// (one long request, no polling), each Node matched to its machine by address, and the machine's Ready
// condition, cordon and kubelet version stored when they change. The cluster records whether its
// Kubernetes API answers. Access is the cluster's admin kubeconfig obtained through Talos (KubeClients);
// a cluster without an os:admin credential says so.
import type { V1Node } from "@kubernetes/client-node";
import type { LimitFunction } from "p-limit";
import type { Logger } from "pino";
import { cordonOf, describeCordon, KubeError, readinessOf } from "../../kubernetes";
import type { PrismaClient } from "../../platform/db/client";
import { backoff, sleep } from "../../platform/pacing";
import type { KubeClients } from "../kubernetes/kube-clients";

/** A Node as a machine shows it. */
export interface KubeNodeView {
  node: string;
  addresses: string[];
  /** null: the Node has no Ready condition yet (just registered): not known either way. */
  ready: boolean | null;
  /** Why not Ready ("NodeStatusUnknown: Kubelet stopped posting node status."); empty when Ready. */
  reason: string;
  /** Who cordoned it, in words; empty when schedulable. */
  cordon: string;
  kubeletVersion: string;
}

export function nodeView(n: V1Node): KubeNodeView {
  const r = readinessOf(n);
  const cordon = cordonOf(n);
  return {
    node: n.metadata?.name ?? "",
    addresses: (n.status?.addresses ?? []).filter((a) => a.type === "InternalIP").map((a) => a.address),
    ready: r.hasCondition ? r.ready : null,
    reason: r.ready || !r.hasCondition ? "" : [r.reason, r.message].filter(Boolean).join(": "),
    cordon: cordon.kind === "none" ? "" : describeCordon(cordon),
    kubeletVersion: r.kubeletVersion,
  };
}

export interface KubeNodeWatchOptions {
  db: PrismaClient;
  log: Logger;
  kube: KubeClients;
  clusterId: string;
  clusterName: string;
  maxBackoffMs: number;
  /** Bounds the clusters opening their Kubernetes access (kubeconfig through Talos, first list) at once. */
  setups?: LimitFunction;
  /** Resolves when opening Kubernetes access may go ahead (the collector's Talos first contacts come first). */
  whenIdle?: () => Promise<void>;
  /** Called with every Node seen or changed (to fold Ready into the machine's health). */
  onNode(view: KubeNodeView): void;
  /** Called when the API starts or stops answering (undefined: it answers). */
  onApi(error: string | undefined): void;
}

/** Writes go out at most this often per cluster (a reboot changes a Node several times). */
const FLUSH_MS = 250;

export class KubeNodeWatch {
  private readonly pending = new Map<string, KubeNodeView>();
  /** What each Node last looked like: a heartbeat that changes nothing shown costs nothing. */
  private readonly last = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private apiState: string | undefined;

  constructor(private readonly o: KubeNodeWatchOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const gated = async <T>(f: () => Promise<T>): Promise<T> => {
        await this.o.whenIdle?.();
        return f();
      };
      const setup = <T>(f: () => Promise<T>): Promise<T> =>
        this.o.setups ? this.o.setups(() => gated(f)) : gated(f);
      let client: Awaited<ReturnType<KubeClients["get"]>>;
      try {
        client = await setup(() => this.o.kube.reader(this.o.clusterName));
      } catch (err) {
        // No way in (no os:admin credential, no control plane answers with a kubeconfig): said on the
        // cluster, but not held against the cluster's health: its API may be fine.
        if (signal.aborted) break;
        failures++;
        await this.setApi(`not read: ${err instanceof Error ? err.message : String(err)}`, false).catch(
          () => {},
        );
        await sleep(backoff(failures, Math.max(this.o.maxBackoffMs, 60_000)), signal);
        continue;
      }
      try {
        const list = await setup(() => client.listNodesAt({ signal }));
        for (const n of list.items) this.seen(nodeView(n));
        await this.setApi(null);
        failures = 0;
        let rv = list.resourceVersion;
        // The server ends each watch after a while: resume from the last version seen.
        while (!signal.aborted) {
          rv = await client.watchNodes(
            rv,
            (e) => e.type !== "DELETED" && this.seen(nodeView(e.object)),
            signal,
          );
        }
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof KubeError && err.code === 410) continue; // too old: list again
        failures++;
        const message = err instanceof Error ? err.message : String(err);
        await this.setApi(message).catch(() => {});
        if (failures === 1)
          this.o.log.debug({ err, cluster: this.o.clusterName }, "collector: Kubernetes not read");
        if (err instanceof KubeError && err.code === 401)
          await this.o.kube.forget(this.o.clusterName).catch(() => {});
        await sleep(backoff(failures, Math.max(this.o.maxBackoffMs, 30_000)), signal);
      }
    }
    clearTimeout(this.flushTimer);
  }

  private seen(v: KubeNodeView): void {
    const key = JSON.stringify(v);
    if (this.last.get(v.node) === key) return;
    this.last.set(v.node, key);
    this.o.onNode(v);
    this.pending.set(v.node, v);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush().catch((err) => this.o.log.warn({ err }, "collector: Kubernetes nodes not stored"));
    }, FLUSH_MS);
  }

  /** Stores the Nodes seen since the last flush on their machines (matched by address, else by name). */
  private async flush(): Promise<void> {
    const views = [...this.pending.values()];
    this.pending.clear();
    if (views.length === 0) return;
    await this.o.db.$executeRaw`
      UPDATE machine m SET kube_node = v.node, kube_ready = v.ready, kube_reason = v.reason,
        kube_cordon = v.cordon, kubelet_version = v."kubeletVersion"
      FROM jsonb_to_recordset(${JSON.stringify(views)}::jsonb)
        AS v(node text, addresses jsonb, ready boolean, reason text, cordon text, "kubeletVersion" text)
      WHERE m.cluster_id = ${this.o.clusterId}::uuid AND m.removed_at IS NULL
        AND (v.addresses ? m.address OR (jsonb_array_length(v.addresses) = 0 AND lower(m.hostname) = v.node))
        AND (m.kube_node, m.kube_ready, m.kube_reason, m.kube_cordon, m.kubelet_version)
          IS DISTINCT FROM (v.node, v.ready, v.reason, v.cordon, v."kubeletVersion")`;
  }

  /** Records whether the cluster's Kubernetes API answers, when that changes. */
  private async setApi(error: string | null, countsForHealth = true): Promise<void> {
    const state = error ?? "ok";
    if (state === this.apiState) return;
    this.apiState = state;
    this.o.onApi(countsForHealth ? (error ?? undefined) : undefined);
    await this.o.db.cluster.update({
      where: { id: this.o.clusterId },
      data: error === null ? { kubeApiError: null, kubeApiSeenAt: new Date() } : { kubeApiError: error },
    });
  }
}
