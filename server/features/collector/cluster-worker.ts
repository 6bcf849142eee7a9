// Collects the state of one cluster this instance holds the lease of: opens its credential, runs one
// MachineRunner per machine row, follows joins and departures, and rolls the machines up into cluster health.
import { createHash } from "node:crypto";
import type { LimitFunction } from "p-limit";
import type { Logger } from "pino";
import type { PrismaClient } from "../../platform/db/client";
import { backoff, jitter, sleep } from "../../platform/pacing";
import type { SecretKey } from "../../platform/secrets/secret-key";
import type { TalosClient } from "../../talos";
import type { ClusterClients } from "../credentials/cluster-clients";
import type { DriftSink } from "../drift/drift-sink";
import { NEEDS_ADMIN, secretDigest } from "../drift/read-drift-state";
import { type ClusterMachine, clusterHealth, type Health } from "../health";
import type { KubeClients } from "../kubernetes/kube-clients";
import type { FirstContacts } from "./first-contacts";
import { KubeNodeWatch } from "./kube-node-watch";
import { type CallCounts, describeError, MachineRunner, type RunnerHost } from "./machine-runner";
import { applyPatch, type LiveMachine, type MachinePatch } from "./machine-state";
import { liveMachineFrom, storedMachineSelect } from "./stored-machine";
import { Waker } from "./waker";
import type { BatchWriter } from "./writer";

export interface WorkerDeps {
  db: PrismaClient;
  log: Logger;
  writer: BatchWriter;
  /** Bounds the periodic reconciles in flight across all clusters (first contacts are bounded apart). */
  calls: LimitFunction;
  /** Paces first contacts across all clusters. */
  firstContacts: FirstContacts;
  /** Bounds the database reads of cluster refreshes so they leave the pool to flushes and the app. */
  refreshes: LimitFunction;
  count: (what: keyof CallCounts, n?: number) => void;
  /** The Talos clients of clusters, per need: shared by the workers of one collector. */
  clients: ClusterClients;
  reconcileMs: number;
  timeoutMs: number;
  maxBackoffMs: number;
  staleAfterMs: number;
  events: boolean;
  secretKey?: SecretKey;
  /** Drift readings go here; without it drift is not collected. */
  drift?: DriftSink;
  /** Kubernetes clients of clusters: with them, each cluster's Nodes are watched. */
  kube?: KubeClients;
  /** Bounds the clusters opening their Kubernetes access (kubeconfig, first list) at once. */
  kubeSetups?: LimitFunction;
}

/**
 * A cluster re-reads its rows and credentials on its own this often (jittered); in between it does so only
 * when the collector's inventory check (every machinesRefreshMs, one query for all clusters) finds a change.
 * This also bounds how long a newly imported os:admin credential waits to be used for drift readings.
 */
const FULL_REFRESH_MS = 5 * 60_000;

/** A machine of the inventory as the inventory check compares it: its id and address. */
export interface MachineAddress {
  id: string;
  address: string;
}

/** What the inventory check compares of a stored credential: its expiry and certificate digest. */
export interface CredentialStamp {
  certNotAfter: Date;
  /** md5 of the certificate PEM, as Postgres computes it. */
  certDigest: string;
}

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

export class ClusterWorker {
  private readonly stopper = new AbortController();
  private readonly machines = new Map<string, LiveMachine>();
  private readonly runners = new Map<string, MachineRunner>();
  private talos: TalosClient | undefined;
  private etcdMemberCount: number | undefined;
  private healthDirty = true;
  private lastHealth: { health: Health; reason: string } | undefined;
  private done: Promise<void> | undefined;
  private credentialError: string | undefined;
  private readonly host: RunnerHost;
  private readonly refreshWaker = new Waker();
  private admin: { client?: TalosClient; reason?: string } = {};
  /** Why the cluster's Kubernetes API does not answer the node watch, while it does not. */
  private kubeApiError: string | undefined;
  /** md5 of the open credential's certificate, to compare with the stored one. */
  private certDigest: string | undefined;

  constructor(
    private readonly deps: WorkerDeps,
    readonly clusterId: string,
  ) {
    this.host = {
      // A client retired under the worker (its credential was replaced or removed) is not used: the
      // cluster is refreshed now, and the runners wait for the next one.
      client: () => {
        if (!this.talos?.retired) return this.talos;
        this.refreshWaker.wake();
        return undefined;
      },
      calls: deps.calls,
      firstContacts: deps.firstContacts,
      count: deps.count,
      reconcileMs: deps.reconcileMs,
      timeoutMs: deps.timeoutMs,
      maxBackoffMs: deps.maxBackoffMs,
      events: deps.events,
      clusterId,
      update: (id, patch) => this.update(id, patch),
      recordEvents: (rows) => deps.writer.addEvents(rows),
      etcdMembers: (n) => {
        if (n !== this.etcdMemberCount) this.healthDirty = true;
        this.etcdMemberCount = n;
      },
      ...(deps.drift
        ? {
            drift: {
              admin: () => this.admin,
              ...(deps.secretKey ? { digest: secretDigest(deps.secretKey.key) } : {}),
              record: (id, reading, versions) => deps.drift?.record(id, reading, versions),
            },
          }
        : {}),
    };
  }

  start(): void {
    this.done = Promise.all([this.run(), this.watchKubernetes()]).then(() => undefined);
  }

  /**
   * Follows the cluster's Kubernetes Nodes, folding each Node's Ready condition into its machine's health.
   * Talos state comes first: Kubernetes access is opened (a kubeconfig from a control plane, a TLS setup
   * and a node list per cluster) only while no first contact waits anywhere in the collector.
   */
  private async watchKubernetes(): Promise<void> {
    const { kube, db } = this.deps;
    if (!kube) return;
    const signal = this.stopper.signal;
    const firstContacts = this.deps.firstContacts;
    const cluster = await db.cluster.findUnique({ where: { id: this.clusterId }, select: { name: true } });
    if (!cluster) return;
    await new KubeNodeWatch({
      db,
      log: this.deps.log,
      kube,
      clusterId: this.clusterId,
      clusterName: cluster.name,
      maxBackoffMs: this.deps.maxBackoffMs,
      setups: this.deps.kubeSetups,
      whenIdle: async () => {
        while (!signal.aborted) {
          const { waiting, completed } = firstContacts.stats();
          if (waiting === 0 && completed > 0) return;
          await sleep(jitter(1_000), signal);
        }
      },
      onApi: (error) => {
        if (error === this.kubeApiError) return;
        this.kubeApiError = error;
        this.healthDirty = true;
      },
      onNode: (v) => {
        for (const m of this.machines.values()) {
          if (
            v.addresses.includes(m.address) ||
            (v.addresses.length === 0 && m.hostname.toLowerCase() === v.node)
          ) {
            this.update(m.id, { kubeReady: v.ready ?? undefined, kubeReason: v.reason });
          }
        }
      },
    }).run(this.stopper.signal);
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.done;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
  }

  /** The name of the credential this cluster's machines are read with, if one is open. */
  get credentialName(): string | undefined {
    return this.talos?.context.name;
  }

  /**
   * Whether what is stored differs from what this worker collects: machines joined, left or moved, the
   * credential was replaced, removed or expired, or there is no usable credential yet.
   */
  isStale(machines: MachineAddress[], credential: CredentialStamp | undefined): boolean {
    const context = this.talos?.context;
    if (!context || this.credentialError) return true;
    if (context.certNotAfter.getTime() <= Date.now()) return true;
    if (!credential || credential.certDigest !== this.certDigest) return true;
    if (credential.certNotAfter.getTime() !== context.certNotAfter.getTime()) return true;
    if (machines.length !== this.runners.size) return true;
    return machines.some((m) => this.runners.get(m.id)?.address !== m.address);
  }

  /** Re-read the rows and credentials now (the inventory check found a change). */
  refreshSoon(): void {
    this.refreshWaker.wake();
  }

  /** Applies a patch to a machine, queues the write and its history. */
  update(machineId: string, patch: MachinePatch): void {
    const m = this.machines.get(machineId);
    if (!m) return;
    const { changes, dirty } = applyPatch(m, patch, new Date(), this.deps.staleAfterMs);
    if (dirty) {
      this.deps.writer.markDirty(m, changes);
      this.healthDirty = true;
    }
  }

  /**
   * Re-applies the health model where the clock alone can change the verdict: machines not reachable ("last
   * seen 7 minutes ago") and those that will be stale within `withinMs`. A reachable machine heard from
   * recently, or one never contacted, has the verdict it got at its last update.
   */
  sweep(withinMs: number): void {
    const now = Date.now();
    for (const m of this.machines.values()) {
      if (!m.lastSeenAt) continue;
      if (m.reachable && now - m.lastSeenAt.getTime() + withinMs < this.deps.staleAfterMs) continue;
      this.update(m.id, {});
    }
  }

  /** Queues the cluster's health when something it depends on changed. */
  rollUp(): void {
    if (!this.healthDirty) return;
    this.healthDirty = false;
    const machines: ClusterMachine[] = [...this.machines.values()].map((m) => ({
      hostname: m.hostname,
      role: m.role,
      health: m.health,
      reason: m.healthReason,
      stage: m.stage,
      unmetConditions: m.unmetConditions,
      services: m.services,
      reachable: m.reachable,
      ...(m.apiServerRunning === undefined ? {} : { apiServerRunning: m.apiServerRunning }),
      ...(m.etcdErrors ? { etcdErrors: m.etcdErrors } : {}),
    }));
    const v = clusterHealth({
      machines,
      ...(this.etcdMemberCount === undefined ? {} : { etcdMembers: this.etcdMemberCount }),
      ...(this.kubeApiError ? { kubeApiError: this.kubeApiError } : {}),
    });
    if (this.lastHealth?.health === v.health && this.lastHealth.reason === v.reason) return;
    this.lastHealth = { health: v.health, reason: v.reason };
    this.deps.writer.setClusterHealth({
      clusterId: this.clusterId,
      health: v.health,
      reason: v.reason,
      changed: true,
    });
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.deps.refreshes(() => this.refresh());
        failures = 0;
        await this.refreshWaker.sleep(jitter(FULL_REFRESH_MS), signal);
      } catch (err) {
        failures++;
        if (failures === 1)
          this.deps.log.warn({ err, clusterId: this.clusterId }, "collector: cluster refresh failed");
        await sleep(backoff(failures, this.deps.maxBackoffMs), signal);
      }
    }
  }

  /** Re-reads the cluster's machine rows and credential; starts and stops runners to match. */
  private async refresh(): Promise<void> {
    const { db } = this.deps;
    const cluster = await db.cluster.findUnique({ where: { id: this.clusterId }, select: { name: true } });
    if (!cluster) return;
    const rows = await db.machine.findMany({
      where: { clusterId: this.clusterId, removedAt: null },
      select: storedMachineSelect,
    });
    if (this.stopper.signal.aborted) return;
    await this.openCredential(cluster.name);
    if (this.deps.drift) await this.openAdminCredential(cluster.name);

    const fresh = rows.filter((r) => this.runners.get(r.id)?.address !== r.address);
    const lastEvents =
      this.deps.events && fresh.length ? await this.lastEventIds(fresh.map((r) => r.id)) : {};
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.id);
      const existing = this.runners.get(row.id);
      if (existing && existing.address === row.address) continue;
      if (existing) await existing.stop();
      const live = liveMachineFrom(row);
      this.machines.set(row.id, live);
      const runner = new MachineRunner(
        this.host,
        row.id,
        row.address,
        row.role,
        live.services,
        lastEvents[row.id],
      );
      this.runners.set(row.id, runner);
      runner.start(); // its first contact waits for its turn (FirstContacts)
      this.healthDirty = true;
    }
    for (const [id, runner] of this.runners) {
      if (seen.has(id)) continue;
      await runner.stop();
      this.runners.delete(id);
      this.machines.delete(id);
      this.healthDirty = true;
    }
    if (this.credentialError) {
      for (const id of this.machines.keys())
        this.update(id, { reachable: false, lastError: this.credentialError });
    }
  }

  /** The newest stored event id of each machine: its Events stream resumes after it. */
  private async lastEventIds(machineIds: string[]): Promise<Record<string, string>> {
    const rows = await this.deps.db.$queryRaw<Array<{ id: string; event_id: string | null }>>`
      SELECT m.id::text AS id,
        (SELECT e.event_id FROM machine_event e WHERE e.machine_id = m.id ORDER BY e.id DESC LIMIT 1) AS event_id
      FROM unnest(${machineIds}::uuid[]) AS m(id)`;
    return Object.fromEntries(rows.filter((r) => r.event_id).map((r) => [r.id, r.event_id as string]));
  }

  /** The machine configuration needs os:admin: an admin credential if the cluster has one, else the reason. */
  private async openAdminCredential(clusterName: string): Promise<void> {
    try {
      this.admin = { client: await this.deps.clients.get(clusterName, "admin") };
    } catch {
      this.admin = { reason: NEEDS_ADMIN };
    }
  }

  /**
   * The cluster's read client (ClusterClients keeps it while its credential stays current, and chooses
   * again when it expired or was replaced); without one, says why on every machine.
   */
  private async openCredential(clusterName: string): Promise<void> {
    const previous = this.talos;
    try {
      const client = await this.deps.clients.get(clusterName, "read");
      this.talos = client;
      this.certDigest = md5(client.context.certPem);
      this.credentialError = undefined;
      if (client !== previous) for (const r of this.runners.values()) r.poke();
    } catch (err) {
      // Expired or missing credential: every machine shows why, until one is imported.
      this.talos = undefined;
      this.certDigest = undefined;
      this.credentialError = describeError(err);
      // Streams opened with the old credential must not keep reporting the machines as fine.
      for (const r of this.runners.values()) r.dropStreams();
    }
  }
}
