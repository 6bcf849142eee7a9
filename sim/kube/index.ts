// The Kubernetes side of the fleet: per-cluster API servers, their objects built on first use, the hooks
// Talos's sequences call (pods stopped, drain, stage changes), kubeconfigs and the statistics.
import type { KubeHooks, SimCluster, SimFleet } from "../fleet";
import type { SimNode } from "../node";
import { MachineStage } from "../wire";
import { type ClusterKubeStats, type KillRecord, KubeCluster, type ViolationRecord } from "./cluster";
import { talosDrain } from "./eviction";
import { kubeconfigTarGz, renderKubeconfig } from "./kubeconfig";
import { issueKubeClientCert, type KubeCa, loadOrCreateKubeCa } from "./pki";
import { KubeApiServer } from "./server";

export interface KubeOptions {
  stateDir: string;
  /** Serve the Kubernetes API (default true); false keeps only the kubeconfig through Talos. */
  enabled: boolean;
  /** 6443 by default; 0 picks one free port used for every cluster. */
  port: number;
}

export interface ClusterKubeSummary extends ClusterKubeStats {
  cluster: string;
  cordonedNodes: string[];
  pendingPods: string[];
}

export class KubeFleet implements KubeHooks {
  private readonly clusters = new Map<SimCluster, KubeCluster>();
  private readonly cas = new Map<SimCluster, Promise<KubeCa>>();
  private readonly servers = new Map<SimCluster, KubeApiServer>();
  port: number;

  constructor(
    private readonly fleet: SimFleet,
    private readonly opts: KubeOptions,
  ) {
    this.port = opts.port;
  }

  get enabled(): boolean {
    return this.opts.enabled;
  }

  /** The cluster's Kubernetes objects, built on first use. */
  cluster(c: SimCluster): KubeCluster {
    let kc = this.clusters.get(c);
    if (!kc) {
      kc = new KubeCluster(this.fleet, c);
      this.clusters.set(c, kc);
    }
    return kc;
  }

  ca(c: SimCluster): Promise<KubeCa> {
    let p = this.cas.get(c);
    if (!p) {
      p = loadOrCreateKubeCa(this.opts.stateDir, c.spec.name);
      p.catch(() => this.cas.delete(c));
      this.cas.set(c, p);
    }
    return p;
  }

  serverUrl(c: SimCluster): string {
    return `https://${c.endpoint.address}:${this.port}`;
  }

  /** Binds every cluster's listener (the first bind picks the port when it is 0). */
  async start(): Promise<void> {
    if (!this.opts.enabled) return;
    for (const c of this.fleet.clusters) {
      const server = new KubeApiServer(c, { ca: () => this.ca(c), cluster: () => this.cluster(c) });
      const bound = await server.start(this.port);
      if (this.port === 0) this.port = bound;
      this.servers.set(c, server);
    }
    this.fleet.onApiState((node, up) => {
      const c = this.fleet.cluster(node);
      if (c.endpoint === node) this.servers.get(c)?.setUp(up);
    });
  }

  stop(): void {
    for (const s of this.servers.values()) s.stop();
    for (const kc of this.clusters.values()) kc.stop();
  }

  /**
   * A fresh admin kubeconfig (a new client certificate each time, as Talos generates one per call); with
   * `as`, one for another identity of the cluster's CA (a reader in `fleet:readers`, say: sim/kube/rbac.ts).
   */
  async kubeconfigText(c: SimCluster, as?: { user: string; groups: string[] }): Promise<string> {
    const ca = await this.ca(c);
    const client = await issueKubeClientCert(ca, as ? { commonName: as.user, organizations: as.groups } : {});
    return renderKubeconfig({
      cluster: c.spec.name,
      server: this.serverUrl(c),
      caPem: ca.certPem,
      client,
      user: as?.user,
    });
  }

  /** The admin kubeconfig of MachineService.Kubeconfig, wrapped as machined wraps it. */
  async kubeconfig(c: SimCluster): Promise<Buffer> {
    return kubeconfigTarGz(await this.kubeconfigText(c));
  }

  // ---- hooks from Talos's side ------------------------------------------------------------------

  /** A machine's state changed (services, stage): the cluster's controllers look again. */
  nodeChanged(node: SimNode): void {
    if (!this.opts.enabled) return;
    const c = this.fleet.cluster(node);
    const kc = this.clusters.get(c);
    // a stage that makes Talos cordon the node is recorded even before anyone asked for the cluster
    const cordons =
      node.stage === MachineStage.UPGRADING ||
      node.stage === MachineStage.SHUTTING_DOWN ||
      node.stage === MachineStage.RESETTING;
    if (!kc && cordons) this.cluster(c).kick();
    else kc?.kick();
  }

  /** The StopAllPods task (graceful node shutdown) or the machine going down at once (not graceful). */
  podsStopped(node: SimNode, graceful: boolean): void {
    if (!this.opts.enabled) return;
    this.cluster(this.fleet.cluster(node)).podsStopped(node, graceful);
  }

  /** The upgrade sequence's drain phase. */
  async drain(node: SimNode): Promise<void> {
    if (!this.opts.enabled) return this.fleet.clock.sleep(3000); // the phase's nominal duration

    const kc = this.cluster(this.fleet.cluster(node));
    kc.reconcile();
    await talosDrain(
      kc,
      node,
      (ms) => this.fleet.clock.sleep(ms),
      () => this.fleet.stopped || kc.stopped,
    );
  }

  faultsChanged(node: SimNode): void {
    if (!this.opts.enabled) return;
    const c = this.fleet.cluster(node);
    if (node.faults.pdbBlock || this.clusters.has(c)) this.cluster(c).syncVault();
    this.clusters.get(c)?.kick();
  }

  // ---- statistics -------------------------------------------------------------------------------

  summary(c: SimCluster): ClusterKubeSummary {
    const kc = this.clusters.get(c);
    const empty: ClusterKubeStats = {
      evictionsAccepted: 0,
      evictionsRefused: 0,
      podsKilledByReboot: 0,
      killedPods: [] as KillRecord[],
      pdbViolations: 0,
      violations: [] as ViolationRecord[],
      requestsByUser: {},
    };
    return {
      cluster: c.spec.name,
      ...(kc ? structuredClone(kc.stats) : empty),
      cordonedNodes: kc?.cordonedNodes() ?? [],
      pendingPods: kc?.pendingPods() ?? [],
    };
  }

  /** Fleet totals and, per cluster whose Kubernetes objects exist, its figures. */
  stats() {
    const clusters = this.fleet.clusters.filter((c) => this.clusters.has(c)).map((c) => this.summary(c));
    const sum = (f: (s: ClusterKubeSummary) => number) => clusters.reduce((n, s) => n + f(s), 0);
    return {
      enabled: this.opts.enabled,
      port: this.port,
      totals: {
        clustersActive: clusters.length,
        evictionsAccepted: sum((s) => s.evictionsAccepted),
        evictionsRefused: sum((s) => s.evictionsRefused),
        podsKilledByReboot: sum((s) => s.podsKilledByReboot),
        pdbViolations: sum((s) => s.pdbViolations),
        cordonedNodes: sum((s) => s.cordonedNodes.length),
        pendingPods: sum((s) => s.pendingPods.length),
      },
      clusters,
    };
  }
}
