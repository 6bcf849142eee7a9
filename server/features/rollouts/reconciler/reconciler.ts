// The rollout reconciler: advances every rollout from its state in Postgres. One instance acts on a
// rollout at a time (a lease on the row, taken over when it expires: held-leases.ts). Every step is
// guarded by the row's current phase, so it happens once: an upgrade is issued only after the row moved
// to `upgrading` with a new attempt and `issuedAt`, and its actor id is written as soon as Talos answers.
// After a crash, machines found `upgrading` are followed (never issued again) until they run the target
// on a new boot id, or time out; machines found `pulling` pull again (harmless, idempotent). An instance
// that cannot prove it still holds a rollout's lease stops acting on it at once (rollout-lease.ts): its
// tasks are aborted, and no request that changes a machine leaves without that proof.
//
// One pass over a rollout: load it (load-rollout.ts) → adopt what is in flight → schedule() (the pure
// scheduler) over the facts of its machines and clusters (scheduler-facts.ts) → apply the actions
// (apply-actions.ts, starting machine tasks: machine-tasks.ts) → advance the rollout (advance-rollout.ts).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { PrismaClient } from "../../../platform/db/client";
import type { SecretKey } from "../../../platform/secrets/secret-key";
import { ClusterClients } from "../../credentials/cluster-clients";
import { KubeClients } from "../../kubernetes/kube-clients";
import type { RolloutLease } from "../rollout-lease";
import { schedule } from "../scheduler";
import type { Notifier } from "../webhook";
import { advanceWave, announceApprovalNeeded, finishAbort, notePodBaseline } from "./advance-rollout";
import { applyActions } from "./apply-actions";
import { HeldLeases, LEASED } from "./held-leases";
import { kubeGateOf } from "./kube-steps";
import { loadRollout, type RolloutState } from "./load-rollout";
import { MachineTasks, type MachineWork } from "./machine-tasks";
import { schedulerFacts } from "./scheduler-facts";
import { writeHolds } from "./write-holds";

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
  /** Between refused evictions of a drain, and between checks that a node is Ready again (default 5 s, as talosctl). */
  kubePollMs?: number;
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

export class RolloutReconciler {
  readonly instanceId: string;
  private readonly o: Required<Omit<ReconcilerOptions, "secretKey" | "notify" | "instanceId">> &
    ReconcilerOptions;
  private readonly leases: HeldLeases;
  private readonly tasks: MachineTasks;
  /** A rollout's many pulls and upgrades on one cluster share one opened credential. */
  private readonly clients: ClusterClients;
  private readonly kube: KubeClients;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Passes completed since start (tests wait on it to see that nothing happened for a while). */
  passes = 0;

  constructor(opts: ReconcilerOptions) {
    this.instanceId = opts.instanceId ?? randomUUID();
    this.o = {
      leaseMs: 30_000,
      passMs: 1_000,
      followMs: 1_000,
      kubePollMs: 5_000,
      settleMs: 15_000,
      now: Date.now,
      ...opts,
    };
    this.clients = new ClusterClients(opts.db, { secretKey: opts.secretKey });
    this.kube = new KubeClients(opts.db, this.clients, { secretKey: opts.secretKey });
    this.leases = new HeldLeases({
      db: opts.db,
      log: opts.log,
      instanceId: this.instanceId,
      leaseMs: this.o.leaseMs,
    });
    this.tasks = new MachineTasks({
      db: opts.db,
      log: opts.log,
      clients: this.clients,
      kube: this.kube,
      stamp: () => this.stamp(),
      followMs: this.o.followMs,
      settleMs: this.o.settleMs,
    });
  }

  /** What upgrading a machine of the rollout means: its installer, and its drain and readiness settings. */
  private workOf(s: RolloutState): MachineWork {
    return {
      rollout: { id: s.rollout.id, name: s.rollout.name },
      target: s.rollout.targetVersion,
      image: s.rollout.installerImage,
      gate: kubeGateOf(s.rollout.id, s.safety, this.o.kubePollMs),
    };
  }

  /** The rollouts this instance can prove it holds the lease of now. */
  held(): string[] {
    return this.leases.held();
  }

  /**
   * Machine tasks (pull, upgrade, follow) of this instance that may still act: not aborted. (An aborted
   * task may still wait for a database write to settle; it sends nothing more.)
   */
  get activeTasks(): number {
    return this.tasks.active;
  }

  start(): this {
    // Held leases are renewed on their own beat, however long a pass takes.
    this.heartbeat = setInterval(() => void this.leases.renewHeld(), Math.max(50, this.o.leaseMs / 4));
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
      this.tasks.abortAll();
      this.leases.endAll({ forGood: true });
    };
    abortAll();
    await this.loop;
    abortAll(); // what a pass under way started meanwhile
    this.clients.close();
    // Without release (as after a crash) another instance takes over once the leases expire.
    if (opts.releaseLeases === false) return;
    await this.leases.release();
  }

  /** One pass over every rollout this instance holds (or can take) the lease of. */
  async pass(): Promise<void> {
    const rollouts = await this.o.db.rollout.findMany({
      where: { status: { in: [...LEASED] } },
      select: { id: true },
    });
    this.leases.keepOnly(new Set(rollouts.map((r) => r.id)));
    for (const { id } of rollouts) {
      if (this.stopped) return;
      const lease = await this.leases.renew(id, true);
      if (this.stopped) return;
      if (lease) await this.reconcile(id, lease);
    }
  }

  private stamp(): Date {
    return new Date(this.o.now());
  }

  private context() {
    return {
      db: this.o.db,
      notify: this.o.notify,
      tasks: this.tasks,
      kube: this.kube,
      stamp: () => this.stamp(),
      holding: () => this.leases.holding(),
    };
  }

  private async reconcile(rolloutId: string, lease: RolloutLease): Promise<void> {
    const ctx = this.context();
    const now = this.o.now();
    const s = await loadRollout(this.o.db, rolloutId);
    const { rollout: r, wave } = s;
    if (!wave || !lease.held()) return;
    await announceApprovalNeeded(ctx, s);
    if (r.status === "pending") return;

    await this.adoptInFlight(lease, s);
    const facts = await schedulerFacts(this.o.db, s);
    const d = schedule({
      now,
      status: r.status as "running" | "paused" | "aborting",
      safety: s.safety,
      wave: { index: wave.index, approved: s.approved, bakeStartedAt: wave.bakeStartedAt?.getTime() },
      machines: facts.machines,
      clusters: facts.clusters,
      waveMachineIds: new Set(s.waveRows.map((m) => m.id)),
    });
    // The pod check's baseline is read before the wave touches its first machine.
    if (d.actions.some((a) => a.kind !== "time-out")) await notePodBaseline(ctx, s);
    await applyActions(ctx, lease, this.workOf(s), d.actions, s.rows);
    if (!lease.held()) return;
    await writeHolds(ctx, s, d);
    // Nothing new started while aborting; once what was in flight finished, the rollout ends as aborted.
    if (r.status === "aborting") {
      this.tasks.stopDrains(facts.inFlight.map((m) => m.id));
      await finishAbort(ctx, s, facts.inFlight);
    } else await advanceWave(ctx, s, d);
  }

  /** Adopts what an earlier holder (or this instance, under a lease it lost) left in flight. */
  private async adoptInFlight(lease: RolloutLease, s: RolloutState): Promise<void> {
    for (const m of s.rows) {
      if (this.tasks.has(m.id)) continue;
      if (m.phase === "pulling") {
        await this.o.db.rolloutMachine.updateMany({
          where: { id: m.id, phase: "pulling", rollout: this.leases.holding() },
          data: { phase: "pending", progress: "pull interrupted; it is pulled again" },
        });
        m.phase = "pending";
      } else if (m.phase === "upgrading") {
        this.tasks.follow(lease, s.rollout.targetVersion, this.workOf(s), m);
      }
    }
  }
}
