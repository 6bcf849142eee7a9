// The rollout reconciler: advances every rollout from its state in Postgres. One instance acts on a
// rollout at a time (a lease on the row, taken over when it expires). Every step is guarded by the row's
// current phase, so it happens once: an upgrade is issued only after the row moved to `upgrading` with a
// new attempt and `issuedAt`, and its actor id is written as soon as Talos answers. After a crash,
// machines found `upgrading` are followed (never issued again) until they run the target on a new boot
// id, or time out; machines found `pulling` pull again (harmless, idempotent). An instance that cannot
// prove it still holds a rollout's lease stops acting on it at once (rollout-lease.ts): its tasks are
// aborted, and no request that changes a machine leaves without that proof.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { safetySchema } from "../../model/rollout-safety";
import type { PrismaClient } from "../../platform/db/client";
import type { SecretKey } from "../../platform/secrets/secret-key";
import type { TalosClient } from "../../talos/client";
import { LIFECYCLE_MIN_VERSION, versionAtLeast } from "../../talos/operations/upgrade";
import { ClusterClients } from "../credentials/cluster-clients";
import * as announce from "./announcements";
import { withMaintenanceWindows } from "./load-maintenance-windows";
import { LeaseLostError, RolloutLease } from "./rollout-lease";
import { decide, type SchedulerCluster, type SchedulerMachine } from "./scheduler";
import { skipLockedMachines } from "./skip-locked";
import { onTarget } from "./upgrade-path";
import type { Notifier } from "./webhook";

export interface ReconcilerOptions {
  db: PrismaClient;
  log: Logger;
  instanceId?: string;
  /** A rollout's lease lasts this long without renewal (default 30 s). */
  leaseMs?: number;
  /** Pause between passes (default 1 s). */
  passMs?: number;
  /** Poll interval while following a machine adopted after a restart (default 1 s). */
  followMs?: number;
  /**
   * An adopted machine still running its old boot this long, with no upgrade or reboot sequence in its
   * events since the upgrade was issued, never got it (the request died with the previous holder):
   * it is issued again within the same attempt (default 15 s).
   */
  settleMs?: number;
  secretKey?: SecretKey;
  notify?: Notifier;
  /**
   * The time the scheduler sees (maintenance windows, machine timeouts, bakes) and the rollout's rows
   * are stamped with (default `Date.now`); tests move it to open and close windows. Leases, and the issue
   * time compared with Talos's event times, always use the real clock.
   */
  now?: () => number;
}

const ACTIVE = ["running", "paused", "aborting"] as const;
/** Rollouts an instance leases: the active ones, and pending ones (to announce that they await approval). */
const LEASED = ["pending", ...ACTIVE] as const;

interface MachineRow {
  id: string;
  machineId: string;
  waveIndex: number;
  phase: SchedulerMachine["phase"];
  attempt: number;
  inFlightSince: Date | null;
  actorId: string | null;
  bootIdBefore: string;
  issuedAt: Date | null;
  machine: {
    hostname: string;
    address: string;
    role: "controlplane" | "worker";
    effectiveSite: string;
    talosVersion: string;
    bootId: string;
    cluster: { name: string };
  };
}

export class RolloutReconciler {
  readonly instanceId: string;
  private readonly o: Required<Omit<ReconcilerOptions, "secretKey" | "notify" | "instanceId">> &
    ReconcilerOptions;
  /** Rollout-machine id → the task driving it in this instance (until it settles, also once aborted). */
  private readonly tasks = new Map<string, { controller: AbortController; signal: AbortSignal }>();
  /** Rollout id → this instance's lease on it, while it can prove it holds it. */
  private readonly leases = new Map<string, RolloutLease>();
  /** A rollout's many pulls and upgrades on one cluster share one opened credential. */
  private readonly clients: ClusterClients;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private renewing = false;
  /** Passes completed since start (tests wait on it to see that nothing happened for a while). */
  passes = 0;

  constructor(opts: ReconcilerOptions) {
    this.instanceId = opts.instanceId ?? randomUUID();
    this.o = {
      leaseMs: 30_000,
      passMs: 1_000,
      followMs: 1_000,
      settleMs: 15_000,
      now: Date.now,
      ...opts,
    };
    this.clients = new ClusterClients(opts.db, { secretKey: opts.secretKey });
  }

  /** The rollouts this instance can prove it holds the lease of now. */
  held(): string[] {
    return [...this.leases.values()].filter((l) => l.held()).map((l) => l.rolloutId);
  }

  /**
   * Machine tasks (pull, upgrade, follow) of this instance that may still act: not aborted. (An aborted
   * task may still wait for a database write to settle; it sends nothing more.)
   */
  get activeTasks(): number {
    return [...this.tasks.values()].filter((t) => !t.signal.aborted).length;
  }

  private stamp(): Date {
    return new Date(this.o.now());
  }

  start(): this {
    // Held leases are renewed on their own beat, however long a pass takes.
    this.heartbeat = setInterval(() => void this.renewHeld(), Math.max(50, this.o.leaseMs / 4));
    this.heartbeat.unref();
    this.loop = (async () => {
      while (!this.stopped) {
        await this.pass().catch((err) => this.o.log.error({ err }, "rollout reconciler pass failed"));
        this.passes++;
        await sleep(this.o.passMs);
      }
    })();
    return this;
  }

  /** Stops passes and the tasks of this instance; what they drove is picked up by the next lease holder. */
  async stop(opts: { releaseLeases?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    const abortAll = () => {
      for (const t of this.tasks.values()) t.controller.abort();
      for (const l of this.leases.values()) l.end();
      this.leases.clear();
    };
    abortAll();
    await this.loop;
    abortAll(); // what a pass under way started meanwhile
    this.clients.close();
    // Without release (as after a crash) another instance takes over once the leases expire.
    if (opts.releaseLeases === false) return;
    await this.o.db.rollout.updateMany({
      where: { leaseOwner: this.instanceId },
      data: { leaseOwner: null, leaseExpiresAt: null },
    });
  }

  /** One pass over every rollout this instance holds (or can take) the lease of. */
  async pass(): Promise<void> {
    const db = this.o.db;
    const rollouts = await db.rollout.findMany({
      where: { status: { in: [...LEASED] } },
      select: { id: true },
    });
    const listed = new Set(rollouts.map((r) => r.id));
    for (const [id, lease] of this.leases) {
      // Finished (or deleted): nothing runs under its lease any more.
      if (!listed.has(id)) {
        lease.end();
        this.leases.delete(id);
      }
    }
    for (const { id } of rollouts) {
      if (this.stopped) return;
      const lease = await this.renew(id, true);
      if (this.stopped) return;
      if (lease) await this.reconcile(id, lease);
    }
  }

  /** Renews every lease this instance holds (the heartbeat between passes). */
  private async renewHeld(): Promise<void> {
    if (this.renewing || this.stopped) return;
    this.renewing = true;
    try {
      for (const lease of [...this.leases.values()]) {
        if (!lease.lost) await this.renew(lease.rolloutId, false);
      }
    } catch (err) {
      this.o.log.warn({ err }, "renewing rollout leases failed");
    } finally {
      this.renewing = false;
    }
  }

  /**
   * Renews this instance's lease on a rollout, or (`takeOver`) takes it when it is free or expired.
   * Returns the lease when it is provably held afterwards; a refused or failed renewal loses it.
   */
  private async renew(id: string, takeOver: boolean): Promise<RolloutLease | undefined> {
    const sentAt = performance.now();
    const now = new Date();
    let renewed: number;
    try {
      ({ count: renewed } = await this.o.db.rollout.updateMany({
        where: takeOver
          ? {
              id,
              status: { in: [...LEASED] },
              OR: [{ leaseOwner: null }, { leaseOwner: this.instanceId }, { leaseExpiresAt: { lt: now } }],
            }
          : { id, leaseOwner: this.instanceId },
        data: { leaseOwner: this.instanceId, leaseExpiresAt: new Date(now.getTime() + this.o.leaseMs) },
      }));
    } catch (err) {
      this.leases.get(id)?.lose(`renewing it failed (${messageOf(err)})`);
      throw err;
    }
    if (renewed === 0) {
      this.leases.get(id)?.lose("another instance holds it");
      return undefined;
    }
    const lease = takeOver ? this.leaseOf(id) : this.leases.get(id);
    if (!lease || lease.lost) return undefined;
    lease.renewed(sentAt, this.o.leaseMs);
    return lease.held() ? lease : undefined;
  }

  /** This instance's lease on a rollout, a fresh one after a loss (what ran under the old one stays stopped). */
  private leaseOf(id: string): RolloutLease {
    const current = this.leases.get(id);
    if (current && !current.lost) return current;
    const lease = new RolloutLease(id, this.o.leaseMs / 5, (reason) => {
      if (this.leases.get(id) === lease) this.leases.delete(id);
      if (this.stopped) return;
      this.o.log.warn(
        { rollout: id, reason, instance: this.instanceId },
        "rollout lease lost: this instance stopped acting on the rollout",
      );
    });
    this.leases.set(id, lease);
    return lease;
  }

  /** Conditions a write on this instance holding the rollout's lease, according to the database. */
  private holding(): { leaseOwner: string; leaseExpiresAt: { gt: Date } } {
    return { leaseOwner: this.instanceId, leaseExpiresAt: { gt: new Date() } };
  }

  private async reconcile(rolloutId: string, lease: RolloutLease): Promise<void> {
    const db = this.o.db;
    const now = this.o.now();
    const r = await db.rollout.findUniqueOrThrow({
      where: { id: rolloutId },
      include: { waves: { orderBy: { index: "asc" } } },
    });
    // The sites' maintenance windows count as soon as they are edited (maintenance-windows.ts).
    const safety = await withMaintenanceWindows(db, safetySchema.parse(r.safety));
    const rows: MachineRow[] = await db.rolloutMachine.findMany({
      where: { rolloutId },
      orderBy: { position: "asc" },
      select: {
        id: true,
        machineId: true,
        waveIndex: true,
        phase: true,
        attempt: true,
        inFlightSince: true,
        actorId: true,
        bootIdBefore: true,
        issuedAt: true,
        machine: {
          select: {
            hostname: true,
            address: true,
            role: true,
            effectiveSite: true,
            talosVersion: true,
            bootId: true,
            cluster: { select: { name: true } },
          },
        },
      },
    });
    const wave = r.waves.find((w) => w.index === r.currentWave);
    if (!wave || !lease.held()) return;
    const waveRows = rows.filter((m) => m.waveIndex === r.currentWave);
    const approved = wave.status !== "pending" || wave.autoAdvance;

    // Announce once that the wave awaits an approval (the column marks it, whoever holds the lease).
    if (!approved && r.status !== "aborting") {
      const n = await db.rolloutWave.updateMany({
        where: { id: wave.id, status: "pending", approvalRequestedAt: null, rollout: this.holding() },
        data: { approvalRequestedAt: new Date() },
      });
      if (n.count) this.o.notify?.(announce.approvalNeeded(r, wave.name, waveRows.length));
    }
    if (r.status === "pending") return;

    // Adopt what an earlier holder (or this instance, under a lease it lost) left in flight.
    for (const m of rows) {
      if (this.tasks.has(m.id)) continue;
      if (m.phase === "pulling") {
        await db.rolloutMachine.updateMany({
          where: { id: m.id, phase: "pulling", rollout: this.holding() },
          data: { phase: "pending", progress: "pull interrupted; it is pulled again" },
        });
        m.phase = "pending";
      } else if (m.phase === "upgrading") {
        this.follow(lease, r.targetVersion, r.installerImage, m);
      }
    }

    const inFlight = rows.filter((m) => m.phase === "pulling" || m.phase === "upgrading");
    const relevant = rows.filter((m) => m.waveIndex === r.currentWave || inFlight.includes(m));
    const clusters = await this.clusterFacts(
      [...new Set(relevant.map((m) => m.machine.cluster.name))],
      new Set(inFlight.map((m) => m.machineId)),
      new Set(inFlight.filter((m) => m.phase === "upgrading").map((m) => m.machineId)),
    );
    const machines: SchedulerMachine[] = relevant.map((m) => {
      const canPrePull = versionAtLeast(m.machine.talosVersion, LIFECYCLE_MIN_VERSION);
      return {
        id: m.id,
        hostname: m.machine.hostname,
        cluster: m.machine.cluster.name,
        site: m.machine.effectiveSite,
        role: m.machine.role,
        phase: m.phase,
        inFlightSince: m.inFlightSince?.getTime(),
        canPrePull,
        upgradePulling: m.phase === "upgrading" && !m.actorId && !(canPrePull && safety.prePull),
        apiEndpoint: clusters.get(m.machine.cluster.name)?.endpointHosts.has(m.machine.address) ?? false,
      };
    });
    const d = decide({
      now,
      status: r.status as "running" | "paused" | "aborting",
      safety,
      wave: { index: wave.index, approved, bakeStartedAt: wave.bakeStartedAt?.getTime() },
      machines,
      clusters,
      waveMachineIds: new Set(waveRows.map((m) => m.id)),
    });

    const byId = new Map(rows.map((m) => [m.id, m]));
    // Locked since planned: skipped instead of started (skip-locked.ts).
    const locked = await skipLockedMachines(
      db,
      d.actions.filter((a) => a.kind !== "time-out").map((a) => byId.get(a.machineId) as MachineRow),
    );
    for (const a of d.actions) {
      // Nothing starts without the lease: checked here, in the row's update, and as the request leaves.
      if (!lease.held()) return;
      if (locked.has(a.machineId)) continue;
      const m = byId.get(a.machineId) as MachineRow;
      if (a.kind === "time-out") {
        const n = await db.rolloutMachine.updateMany({
          where: { id: m.id, phase: { in: ["pulling", "upgrading"] }, attempt: m.attempt },
          data: { phase: "failed", error: a.reason, phaseSince: this.stamp(), finishedAt: this.stamp() },
        });
        if (n.count) {
          this.tasks.get(m.id)?.controller.abort();
          m.phase = "failed";
        }
      } else if (a.kind === "pull") {
        const n = await db.rolloutMachine.updateMany({
          // Only while running: an abort or a pause committed since this pass read the rollout wins.
          where: { id: m.id, phase: "pending", rollout: { status: "running", ...this.holding() } },
          data: {
            phase: "pulling",
            phaseSince: this.stamp(),
            inFlightSince: this.stamp(),
            progress: "pulling the installer",
          },
        });
        if (n.count) this.pull(lease, r.installerImage, m);
      } else {
        const attempt = m.attempt + 1;
        // Written before the request leaves: after a crash this row says an upgrade may be under way.
        const n = await db.rolloutMachine.updateMany({
          where: {
            id: m.id,
            phase: { in: ["pending", "pulled"] },
            attempt: m.attempt,
            rollout: { status: "running", ...this.holding() },
          },
          data: {
            phase: "upgrading",
            attempt,
            issuedAt: new Date(),
            actorId: null,
            phaseSince: this.stamp(),
            // From now, also after a pull: a pulled machine waiting (a window closed, a slot taken)
            // is not in flight, and that wait must not count against its timeout.
            inFlightSince: this.stamp(),
            fromVersion: m.machine.talosVersion,
            bootIdBefore: m.machine.bootId,
            progress: "upgrade requested",
          },
        });
        if (n.count) this.upgrade(lease, r.installerImage, { ...m, attempt });
      }
    }
    if (!lease.held()) return;

    if (r.status === "aborting") {
      // Nothing new started; once what was in flight finished, the rollout ends as aborted.
      if (inFlight.some((m) => m.phase === "pulling" || m.phase === "upgrading")) return;
      const n = await db.rollout.updateMany({
        where: { id: r.id, status: "aborting", ...this.holding() },
        data: { status: "aborted", finishedAt: this.stamp() },
      });
      if (n.count) this.o.notify?.(announce.aborted(r, announce.countPhases(rows.map((m) => m.phase))));
      return;
    }

    if (approved && wave.status !== "running" && wave.status !== "baking" && d.wave === "running") {
      await db.rolloutWave.update({
        where: { id: wave.id },
        data: { status: "running", startedAt: this.stamp() },
      });
    }
    if (d.wave === "start-bake") {
      await db.rolloutWave.update({
        where: { id: wave.id },
        data: { status: "baking", bakeStartedAt: this.stamp() },
      });
    } else if (d.wave === "budget-exceeded" && r.status === "running") {
      const failed = waveRows.filter((m) => m.phase === "failed").map((m) => m.machine.hostname);
      const reason = `${wave.name}: ${d.failures} machines failed, more than its failure budget of ${d.allowance}`;
      const n = await db.rollout.updateMany({
        where: { id: r.id, status: "running", ...this.holding() },
        data: { status: "paused", statusReason: reason },
      });
      if (n.count) this.o.notify?.(announce.budgetExceeded(r, wave.name, d.failures, d.allowance, failed));
    } else if (d.wave === "baked") {
      const counts = announce.countPhases(waveRows.map((m) => m.phase));
      const next = r.waves.find((w) => w.index === r.currentWave + 1);
      const advanced = await db.$transaction(async (tx) => {
        const n = await tx.rollout.updateMany({
          where: { id: r.id, currentWave: r.currentWave, status: "running", ...this.holding() },
          data: next
            ? { currentWave: next.index }
            : { status: "completed", statusReason: "", finishedAt: this.stamp() },
        });
        if (n.count === 0) return false;
        await tx.rolloutWave.update({
          where: { id: wave.id },
          data: { status: "done", finishedAt: this.stamp() },
        });
        return true;
      });
      if (!advanced) return;
      this.o.notify?.(
        announce.waveFinished(
          r,
          wave.name,
          counts,
          next ? { name: next.name, automatic: next.autoAdvance } : undefined,
        ),
      );
      if (!next) this.o.notify?.(announce.completed(r, announce.countPhases(rows.map((m) => m.phase))));
    }
  }

  /**
   * etcd counts, readiness and API endpoints up per cluster, from the collected state; this rollout's
   * in-flight machines count as down, its upgrading endpoint machines as endpoints down.
   */
  private async clusterFacts(
    names: string[],
    inFlight: Set<string>,
    upgrading: Set<string>,
  ): Promise<Map<string, ClusterFacts>> {
    const [machines, rows] = await Promise.all([
      this.o.db.machine.findMany({
        where: { removedAt: null, cluster: { name: { in: names } } },
        select: {
          id: true,
          hostname: true,
          address: true,
          role: true,
          health: true,
          healthReason: true,
          cluster: { select: { name: true } },
        },
      }),
      this.o.db.cluster.findMany({ where: { name: { in: names } }, select: { name: true, endpoints: true } }),
    ]);
    const out = new Map<string, ClusterFacts>();
    for (const row of rows) {
      const endpointHosts = new Set(row.endpoints.map(endpointHost));
      out.set(row.name, { name: row.name, etcdMembers: 0, etcdHealthy: 0, ready: true, endpointHosts });
    }
    const addresses = new Set(machines.map((m) => m.address));
    for (const c of out.values()) {
      // Endpoints that are no machine (a VIP, a load balancer) are taken as always up.
      if (c.endpointHosts.size > 0 && [...c.endpointHosts].every((h) => addresses.has(h))) {
        const down = machines.filter((m) => upgrading.has(m.id) && c.endpointHosts.has(m.address)).length;
        c.apiEndpointsUp = c.endpointHosts.size - down;
      }
    }
    for (const m of machines) {
      const c = out.get(m.cluster.name);
      if (!c) continue;
      const mine = inFlight.has(m.id);
      const ok = !mine && (m.health === "healthy" || m.health === "degraded");
      if (m.role === "controlplane") {
        c.etcdMembers++;
        if (ok) c.etcdHealthy++;
      }
      if (!mine && !ok && c.ready) {
        c.ready = false;
        c.reason = `${m.hostname} is ${m.health}${m.healthReason ? ` (${m.healthReason})` : ""}`;
      }
    }
    return out;
  }

  private client(cluster: string, need: "operate" | "admin"): Promise<TalosClient> {
    return this.clients.get(cluster, need);
  }

  /** Runs a machine's task under the rollout's lease: aborted when the lease is lost or the instance stops. */
  private track(id: string, lease: RolloutLease, run: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, lease.signal]);
    const task = { controller, signal };
    this.tasks.set(id, task);
    void run(signal)
      .catch((err) => {
        if (!signal.aborted) this.o.log.error({ err, rolloutMachine: id }, "rollout task failed");
      })
      .finally(() => {
        if (this.tasks.get(id) === task) this.tasks.delete(id);
      });
  }

  private pull(lease: RolloutLease, image: string, m: MachineRow): void {
    const db = this.o.db;
    this.track(m.id, lease, async (signal) => {
      try {
        const talos = await this.client(m.machine.cluster.name, "operate");
        await talos.pullImage({
          node: m.machine.address,
          imageRef: image,
          signal,
          timeoutMs: undefined,
          guard: () => lease.check(),
        });
        await db.rolloutMachine.updateMany({
          where: { id: m.id, phase: "pulling" },
          data: { phase: "pulled", phaseSince: this.stamp(), progress: "installer pulled" },
        });
      } catch (err) {
        if (signal.aborted || err instanceof LeaseLostError) return;
        await db.rolloutMachine.updateMany({
          where: { id: m.id, phase: "pulling" },
          data: {
            phase: "failed",
            error: messageOf(err),
            phaseSince: this.stamp(),
            finishedAt: this.stamp(),
          },
        });
      }
    });
  }

  private upgrade(lease: RolloutLease, image: string, m: MachineRow): void {
    const db = this.o.db;
    const mine = { id: m.id, phase: "upgrading" as const, attempt: m.attempt };
    this.track(m.id, lease, async (signal) => {
      let lastWrite = 0;
      try {
        const talos = await this.client(m.machine.cluster.name, "admin");
        const result = await talos.upgrade({
          node: m.machine.address,
          image,
          signal,
          // No request that changes the machine leaves unless the lease is provably held.
          guard: () => lease.check(),
          onProgress: (p) => {
            if (p.step === "requested") {
              void db.rolloutMachine
                .updateMany({
                  where: mine,
                  data: { actorId: p.actorId, progress: `upgrade accepted (${p.path})` },
                })
                .catch(() => {});
            } else if (
              p.step === "event" &&
              (p.event.payload.type === "phase" || p.event.payload.type === "sequence")
            ) {
              const e = p.event.payload as {
                type: string;
                phase?: string;
                sequence?: string;
                action?: string;
              };
              const text =
                e.type === "phase" ? `phase ${e.phase} ${e.action}` : `sequence ${e.sequence} ${e.action}`;
              if (Date.now() - lastWrite > 250) {
                lastWrite = Date.now();
                void db.rolloutMachine.updateMany({ where: mine, data: { progress: text } }).catch(() => {});
              }
            } else if (p.step === "disconnected") {
              void db.rolloutMachine
                .updateMany({ where: mine, data: { progress: "rebooting (disconnected, as expected)" } })
                .catch(() => {});
            }
          },
        });
        await db.rolloutMachine.updateMany({
          where: mine,
          data: {
            phase: "done",
            actorId: result.actorId,
            bootIdAfter: result.bootIdAfter,
            progress: `runs ${result.toVersion} on a new boot id`,
            phaseSince: this.stamp(),
            finishedAt: this.stamp(),
          },
        });
      } catch (err) {
        // Stopped, or the lease is gone: the row stays `upgrading` for the next holder to follow.
        if (signal.aborted || err instanceof LeaseLostError) return;
        await db.rolloutMachine.updateMany({
          where: mine,
          data: {
            phase: "failed",
            error: messageOf(err),
            phaseSince: this.stamp(),
            finishedAt: this.stamp(),
          },
        });
      }
    });
  }

  /**
   * The first upgrade or reboot sequence in the machine's stored events since `since`: null when there is
   * none, else its actor id ("" when the event carried none).
   */
  private async sequenceSince(machineId: string, since: Date): Promise<{ actorId: string } | null> {
    // Event times come from Talos event ids, to the second.
    const from = new Date(Math.floor(since.getTime() / 1000) * 1000 - 1000);
    return this.o.db.machineEvent.findFirst({
      where: {
        machineId,
        kind: "sequence",
        at: { gte: from },
        OR: ["upgrade", "stageUpgrade", "reboot"].map((name) => ({
          payload: { path: ["sequence"], equals: name },
        })),
      },
      orderBy: { at: "asc" },
      select: { actorId: true },
    });
  }

  /**
   * Follows a machine found upgrading after a restart until it runs the target on a new boot id. It is
   * issued again (same attempt) only when it provably never got the upgrade: still running its old
   * boot and version for `settleMs`, with no upgrade or reboot sequence in its events since it was issued.
   */
  private follow(lease: RolloutLease, target: string, image: string, m: MachineRow): void {
    const db = this.o.db;
    const mine = { id: m.id, phase: "upgrading" as const, attempt: m.attempt };
    this.track(m.id, lease, async (signal) => {
      const talos = await this.client(m.machine.cluster.name, "operate");
      await db.rolloutMachine.updateMany({
        where: mine,
        data: { progress: "followed by this instance (after a restart, a takeover or a lost lease)" },
      });
      let untouchedSince: number | undefined;
      while (!signal.aborted) {
        try {
          const [v, boot, status] = await Promise.all([
            talos.version({ node: m.machine.address, signal }),
            talos.bootId({ node: m.machine.address, signal }),
            talos.machineStatus({ node: m.machine.address, signal }),
          ]);
          const back = status.stage === "RUNNING" && status.ready && boot !== m.bootIdBefore;
          if (back) {
            const ok = onTarget(v.tag, target);
            // The upgrade's actor id, when the instance that issued it could not record it (it lost its
            // lease or stopped between the request and the answer): the sequence it started says it.
            const actorId =
              m.actorId ?? (await this.sequenceSince(m.machineId, m.issuedAt ?? new Date(0)))?.actorId;
            await db.rolloutMachine.updateMany({
              where: mine,
              data: ok
                ? {
                    phase: "done",
                    ...(actorId ? { actorId } : {}),
                    bootIdAfter: boot,
                    progress: `runs ${v.tag} on a new boot id`,
                    phaseSince: this.stamp(),
                    finishedAt: this.stamp(),
                  }
                : {
                    phase: "failed",
                    bootIdAfter: boot,
                    error: `rebooted but runs ${v.tag}, not ${target}`,
                    phaseSince: this.stamp(),
                    finishedAt: this.stamp(),
                  },
            });
            return;
          }
          const untouched = status.stage === "RUNNING" && boot === m.bootIdBefore && !onTarget(v.tag, target);
          untouchedSince = untouched ? (untouchedSince ?? Date.now()) : undefined;
          if (
            untouchedSince !== undefined &&
            Date.now() - untouchedSince >= this.o.settleMs &&
            (await this.sequenceSince(m.machineId, m.issuedAt ?? new Date(0))) === null
          ) {
            const n = await db.rolloutMachine.updateMany({
              where: mine,
              data: {
                progress: "the upgrade never reached the machine before the takeover; issued again",
              },
            });
            if (n.count) this.upgrade(lease, image, m);
            return;
          }
        } catch {
          // Rebooting: unreachable for a while is expected.
          untouchedSince = undefined;
        }
        const row = await db.rolloutMachine.findUnique({
          where: { id: m.id },
          select: { phase: true, attempt: true },
        });
        if (row?.phase !== "upgrading" || row.attempt !== m.attempt) return;
        await sleep(this.o.followMs, undefined, { signal }).catch(() => {});
      }
    });
  }
}

interface ClusterFacts extends SchedulerCluster {
  endpointHosts: Set<string>;
}

/** The host of an endpoint ("10.0.0.1:50000", "[fd00::1]:50000", "cp.example.org"). */
function endpointHost(endpoint: string): string {
  if (endpoint.startsWith("[")) return endpoint.slice(1, endpoint.indexOf("]"));
  const parts = endpoint.split(":");
  return parts.length === 2 ? (parts[0] as string) : endpoint;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
