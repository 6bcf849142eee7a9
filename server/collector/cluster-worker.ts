// Collects the state of one cluster this instance holds the lease of: opens its credential, runs one
// MachineRunner per machine row, follows joins and departures, and rolls the machines up into cluster health.
import type { Logger } from "pino";
import { authorityKey } from "../credentials/authority";
import { credentialFor } from "../credentials/credential-for";
import { openCredential } from "../credentials/open-credential";
import type { PrismaClient } from "../db/client";
import type { DriftSink } from "../drift/drift-sink";
import { NEEDS_ADMIN, secretDigest } from "../drift/read-drift-state";
import { type ClusterMachine, clusterHealth, type Health, type ServiceState } from "../health";
import type { SecretKey } from "../secrets/secret-key";
import { type ChannelPool, TalosClient, type TalosContext } from "../talos";
import { withDefaultPort } from "../talos/talosconfig";
import { describeError, MachineRunner, type RunnerHost } from "./machine-runner";
import { applyPatch, type LiveMachine, type MachinePatch } from "./machine-state";
import { backoff, type Limiter, sleep } from "./pacing";
import type { BatchWriter } from "./writer";

export interface WorkerDeps {
  db: PrismaClient;
  log: Logger;
  writer: BatchWriter;
  limiter: Limiter;
  /** Bounds the database reads of cluster refreshes so they never starve lease renewals and flushes. */
  dbLimiter: Limiter;
  /** Credential chosen per CA (see chooseCredential), shared by the workers of one collector. */
  credentialChoices: Map<string, { name: string; at: number }>;
  pool: ChannelPool;
  reconcileMs: number;
  timeoutMs: number;
  maxBackoffMs: number;
  machinesRefreshMs: number;
  staleAfterMs: number;
  events: boolean;
  secretKey?: SecretKey;
  /** Drift readings go here; without it drift is not collected. */
  drift?: DriftSink;
}

/** How often a cluster looks again for an os:admin credential (for the machine configuration). */
const ADMIN_RECHECK_MS = 60_000;

const machineSelect = {
  id: true,
  clusterId: true,
  hostname: true,
  address: true,
  role: true,
  talosVersion: true,
  kubernetesVersion: true,
  stage: true,
  ready: true,
  unmetConditions: true,
  services: true,
  bootId: true,
  reachable: true,
  lastSeenAt: true,
  lastError: true,
  health: true,
  healthReason: true,
  healthSince: true,
} as const;

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
  private admin: { client?: TalosClient; reason?: string; checkedAt: number } = { checkedAt: 0 };

  constructor(
    private readonly deps: WorkerDeps,
    readonly clusterId: string,
  ) {
    this.host = {
      client: () => this.talos,
      limiter: deps.limiter,
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
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.done;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
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

  /** Re-applies the health model to every machine (staleness depends on the clock, not on events). */
  sweep(): void {
    for (const id of this.machines.keys()) this.update(id, {});
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
        await this.deps.dbLimiter.run(() => this.refresh());
        failures = 0;
        await sleep(this.deps.machinesRefreshMs, signal);
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
      select: machineSelect,
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
      const live: LiveMachine = {
        ...row,
        unmetConditions: (row.unmetConditions ?? []) as LiveMachine["unmetConditions"],
        services: (row.services ?? []) as unknown as ServiceState[],
      };
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
      // Spread first contacts over a second so a cluster taken over does not hit its endpoint at once.
      runner.start(Math.random() * 1_000, Math.random() * Math.min(this.deps.reconcileMs / 2, 10_000));
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

  /**
   * credentialFor reads every stored credential to choose one; with a thousand clusters of one CA that is a
   * million comparisons at start. Clusters linked to a credential of the same CA get the same choice, so it
   * is made once per CA per minute and reused (opened again per cluster, aimed at its own endpoints).
   */
  private async chooseCredential(clusterName: string): Promise<TalosContext> {
    const { db } = this.deps;
    const secret = this.deps.secretKey ? { secretKey: this.deps.secretKey } : {};
    const cluster = await db.cluster.findUnique({
      where: { name: clusterName },
      select: { endpoints: true, credential: { select: { caPem: true } } },
    });
    const key = cluster?.credential ? authorityKey(cluster.credential.caPem) : undefined;
    const cached = key ? this.deps.credentialChoices.get(key) : undefined;
    if (cluster && cached && Date.now() - cached.at < 60_000) {
      const context = await openCredential(db, cached.name, secret).catch(() => undefined);
      if (context && context.certNotAfter.getTime() > Date.now()) {
        return cluster.endpoints.length
          ? { ...context, endpoints: cluster.endpoints.map(withDefaultPort) }
          : context;
      }
    }
    const context = await credentialFor(db, clusterName, "read", secret);
    if (key) this.deps.credentialChoices.set(key, { name: context.name, at: Date.now() });
    return context;
  }

  /** The machine configuration needs os:admin: an admin credential if the cluster has one, else the reason. */
  private async openAdminCredential(clusterName: string): Promise<void> {
    if (Date.now() - this.admin.checkedAt < ADMIN_RECHECK_MS) return;
    const secret = this.deps.secretKey ? { secretKey: this.deps.secretKey } : {};
    try {
      const context = await credentialFor(this.deps.db, clusterName, "admin", secret);
      const same = this.admin.client?.context.certPem === context.certPem;
      this.admin = {
        client: same ? this.admin.client : new TalosClient(context, { pool: this.deps.pool }),
        checkedAt: Date.now(),
      };
    } catch {
      this.admin = { reason: NEEDS_ADMIN, checkedAt: Date.now() };
    }
  }

  /** Opens the cluster's read credential, again when it expired or was replaced; without one, says why. */
  private async openCredential(clusterName: string): Promise<void> {
    const current = this.talos?.context;
    if (current && current.certNotAfter.getTime() > Date.now()) {
      const stored = await this.deps.db.talosCredential.findUnique({
        where: { name: current.name },
        select: { certPem: true, certNotAfter: true },
      });
      if (
        stored?.certPem === current.certPem &&
        stored.certNotAfter.getTime() === current.certNotAfter.getTime()
      ) {
        return;
      }
    }
    try {
      const context = await this.chooseCredential(clusterName);
      this.talos = new TalosClient(context, { pool: this.deps.pool });
      this.credentialError = undefined;
      for (const r of this.runners.values()) r.poke();
    } catch (err) {
      // Expired or missing credential: every machine shows why, until one is imported.
      this.talos = undefined;
      this.credentialError = describeError(err);
      // Streams opened with the old credential must not keep reporting the machines as fine.
      for (const r of this.runners.values()) r.dropStreams();
    }
  }
}
