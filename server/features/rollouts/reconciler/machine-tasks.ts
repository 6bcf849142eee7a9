// The Talos work of a rollout's machines in this instance: pull the installer, upgrade, or follow a
// machine found upgrading after a restart. Each task runs under the rollout's lease: it is aborted when
// the lease is lost or the instance stops, and no request that changes a machine leaves without proof
// of the lease (the guard). Every write is conditioned on the row's phase and attempt, so it happens once.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { NodeNotReadyError } from "../../../kubernetes";
import type { PrismaClient } from "../../../platform/db/client";
import type { UpgradeProgress } from "../../../talos";
import type { ClusterClients } from "../../credentials/cluster-clients";
import { sequenceSince } from "../../events/sequence-since";
import type { KubeClients } from "../../kubernetes/kube-clients";
import { LeaseLostError, type RolloutLease } from "../rollout-lease";
import { onTarget } from "../upgrade-path";
import { auditMachineOutcome } from "./audit-outcome";
import {
  abandonBeforeReboot,
  DrainFailedError,
  DrainStoppedError,
  drainBeforeReboot,
  type KubeGate,
  readyAfterReboot,
} from "./kube-steps";
import type { MachineRow } from "./load-rollout";

/** The sequences an upgrade or its reboot starts on a machine. */
const UPGRADE_SEQUENCES = ["upgrade", "stageUpgrade", "reboot"] as const;

export interface MachineTaskOptions {
  db: PrismaClient;
  log: Logger;
  clients: ClusterClients;
  kube: KubeClients;
  /** The time rows are stamped with (the scheduler's clock). */
  stamp(): Date;
  /** Poll interval while following a machine. */
  followMs: number;
  /** How long an adopted machine must stay untouched before its upgrade is issued again. */
  settleMs: number;
}

interface Task {
  controller: AbortController;
  signal: AbortSignal;
  /** Aborted when the rollout is aborted: a drain under way stops and lifts its cordon (no reboot). */
  stop: AbortController;
}

export class MachineTasks {
  /** Rollout-machine id → the task driving it (until it settles, also once aborted). */
  private readonly tasks = new Map<string, Task>();

  constructor(private readonly o: MachineTaskOptions) {}

  has(id: string): boolean {
    return this.tasks.has(id);
  }

  /** Tasks that may still act: not aborted (an aborted one may still wait for a write to settle). */
  get active(): number {
    return [...this.tasks.values()].filter((t) => !t.signal.aborted).length;
  }

  abort(id: string): void {
    this.tasks.get(id)?.controller.abort();
  }

  abortAll(): void {
    for (const t of this.tasks.values()) t.controller.abort();
  }

  /**
   * The rollout was aborted: a drain under way stops, its cordon is lifted and that machine is not
   * rebooted. A machine already rebooting is followed to its end (stopping it half-way helps nobody).
   */
  stopDrains(ids: Iterable<string>): void {
    for (const id of ids) this.tasks.get(id)?.stop.abort(new Error("rollout aborted"));
  }

  pull(lease: RolloutLease, image: string, m: MachineRow): void {
    const { db } = this.o;
    const pulling = { id: m.id, phase: "pulling" as const };
    this.track(m.id, lease, async (signal) => {
      try {
        const talos = await this.o.clients.get(m.machine.cluster.name, "operate");
        await talos.pullImage({
          node: m.machine.address,
          imageRef: image,
          signal,
          timeoutMs: undefined,
          guard: () => lease.check(),
        });
        await db.rolloutMachine.updateMany({
          where: pulling,
          data: { phase: "pulled", phaseSince: this.o.stamp(), progress: "installer pulled" },
        });
      } catch (err) {
        if (signal.aborted || err instanceof LeaseLostError) return;
        await db.rolloutMachine.updateMany({ where: pulling, data: this.failed(messageOf(err)) });
      }
    });
  }

  upgrade(lease: RolloutLease, work: MachineWork, m: MachineRow): void {
    const { db } = this.o;
    const mine = { id: m.id, phase: "upgrading" as const, attempt: m.attempt };
    this.track(m.id, lease, async (signal, stop) => {
      let lastWrite = 0;
      const progress = (text: string) =>
        void db.rolloutMachine.updateMany({ where: mine, data: { progress: text } }).catch(() => {});
      try {
        const talos = await this.o.clients.get(m.machine.cluster.name, "admin");
        const steps = {
          kube: this.o.kube,
          talos,
          cluster: m.machine.cluster.name,
          address: m.machine.address,
          gate: work.gate,
          progress,
        };
        const since = new Date();
        let drained: { ms: number; nodeBootIdBefore?: string } | undefined;
        const result = await talos.upgrade({
          node: m.machine.address,
          image: work.image,
          signal,
          // No request that changes the machine leaves unless the lease is provably held.
          guard: () => lease.check(),
          // Talos's own `nodeReady` waits on Kubernetes: the Ready gate below checks that, with its timeout.
          checkedAfter: ["nodeReady"],
          // Lifecycle path: cordon and drain before the Reboot request (machined's reboot does not drain).
          beforeReboot: work.gate.drain
            ? async (s) => {
                drained = await drainBeforeReboot({
                  ...steps,
                  signal: s,
                  stop,
                  guard: () => lease.check(),
                });
                void db.rolloutMachine
                  .updateMany({ where: mine, data: { drainMs: Math.round(drained.ms) } })
                  .catch(() => {});
              }
            : undefined,
          onProgress: (p) => {
            if (p.step === "requested") {
              void db.rolloutMachine
                .updateMany({ where: mine, data: { actorId: p.actorId, progress: progressText(p) } })
                .catch(() => {});
              return;
            }
            const text = progressText(p);
            if (!text) return;
            if (p.step === "event") {
              // Sequence and phase events come in bursts: at most one write every 250 ms.
              if (Date.now() - lastWrite <= 250) return;
              lastWrite = Date.now();
            }
            progress(text);
          },
        });
        // Done only once Kubernetes has the node back: Ready on its new boot, and schedulable again.
        const ready = await readyAfterReboot({
          ...steps,
          signal,
          bootId: result.bootIdAfter,
          nodeBootIdBefore: drained?.nodeBootIdBefore,
          since,
          // The legacy Upgrade sequence drained inside machined; lift Talos's cordon if its boot did not.
          talosToo: result.path === "legacy",
        });
        await this.finish(work, m, mine, {
          phase: "done",
          actorId: result.actorId,
          bootIdAfter: result.bootIdAfter,
          progress: `runs ${result.toVersion} on a new boot id; ${ready}`,
          phaseSince: this.o.stamp(),
          finishedAt: this.o.stamp(),
        });
      } catch (err) {
        // Stopped, or the lease is gone: the row stays `upgrading` for the next holder to follow.
        if (signal.aborted || err instanceof LeaseLostError) return;
        if (err instanceof DrainStoppedError) {
          // Not a failure of the machine: the rollout was aborted before its reboot.
          await this.finish(work, m, mine, this.skipped(err.message));
          return;
        }
        await this.finish(work, m, mine, this.failed(messageOf(err)));
      }
    });
  }

  /**
   * Follows a machine found upgrading after a restart until it runs the target on a new boot id. It is
   * issued again (same attempt) only when it provably never got the upgrade: still running its old
   * boot and version for `settleMs`, with no upgrade or reboot sequence in its events since it was issued.
   */
  follow(lease: RolloutLease, target: string, work: MachineWork, m: MachineRow): void {
    const { db } = this.o;
    const mine = { id: m.id, phase: "upgrading" as const, attempt: m.attempt };
    const issued = m.issuedAt ?? new Date(0);
    this.track(m.id, lease, async (signal) => {
      const talos = await this.o.clients.get(m.machine.cluster.name, "operate");
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
          const talosBack =
            status.stage === "RUNNING" &&
            (status.ready || status.unmetConditions.every((c) => c.name === "nodeReady"));
          if (talosBack && boot !== m.bootIdBefore) {
            // The upgrade's actor id, when the instance that issued it could not record it (it lost its
            // lease or stopped between the request and the answer): the sequence it started says it.
            const actorId =
              m.actorId ?? (await sequenceSince(db, m.machineId, issued, UPGRADE_SEQUENCES))?.actorId;
            const done = onTarget(v.tag, target);
            // Back on the target: done once Kubernetes has it Ready and schedulable again (a failure throws).
            const ready = done
              ? await readyAfterReboot({
                  kube: this.o.kube,
                  talos,
                  cluster: m.machine.cluster.name,
                  address: m.machine.address,
                  gate: work.gate,
                  progress: (text) =>
                    void db.rolloutMachine
                      .updateMany({ where: mine, data: { progress: text } })
                      .catch(() => {}),
                  signal,
                  bootId: boot,
                  since: issued,
                  talosToo: true,
                })
              : "";
            await this.finish(
              work,
              m,
              mine,
              done
                ? {
                    phase: "done",
                    ...(actorId ? { actorId } : {}),
                    bootIdAfter: boot,
                    progress: `runs ${v.tag} on a new boot id; ${ready}`,
                    phaseSince: this.o.stamp(),
                    finishedAt: this.o.stamp(),
                  }
                : { ...this.failed(`rebooted but runs ${v.tag}, not ${target}`), bootIdAfter: boot },
            );
            return;
          }
          const untouched = status.stage === "RUNNING" && boot === m.bootIdBefore && !onTarget(v.tag, target);
          untouchedSince = untouched ? (untouchedSince ?? Date.now()) : undefined;
          if (
            untouchedSince !== undefined &&
            Date.now() - untouchedSince >= this.o.settleMs &&
            (await sequenceSince(db, m.machineId, issued, UPGRADE_SEQUENCES)) === null
          ) {
            // Aborted meanwhile: it is not issued again, and a cordon the earlier holder left is lifted.
            if (await db.rollout.count({ where: { status: "aborting", machines: { some: { id: m.id } } } })) {
              const text = await abandonBeforeReboot(
                {
                  kube: this.o.kube,
                  talos,
                  cluster: m.machine.cluster.name,
                  address: m.machine.address,
                  gate: work.gate,
                  signal,
                  progress: () => {},
                },
                { installed: false },
              );
              await this.finish(work, m, mine, this.skipped(text));
              return;
            }
            const n = await db.rolloutMachine.updateMany({
              where: mine,
              data: { progress: "the upgrade never reached the machine before the takeover; issued again" },
            });
            if (n.count) this.upgrade(lease, work, m);
            return;
          }
        } catch (err) {
          if (isKubernetesFailure(err)) {
            await this.finish(work, m, mine, this.failed(messageOf(err)));
            return;
          }
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

  /**
   * Writes a machine's outcome (done, failed, skipped) if its row is still in the phase and attempt this
   * task drives, and then, once, records in the audit trail what the rollout did to it.
   */
  private async finish(
    work: MachineWork,
    m: MachineRow,
    where: { id: string; phase: "upgrading"; attempt: number },
    data: { phase: "done" | "failed" | "skipped"; progress?: string; error?: string } & Record<
      string,
      unknown
    >,
  ): Promise<void> {
    const n = await this.o.db.rolloutMachine.updateMany({ where, data });
    if (n.count === 0) return;
    await this.recordOutcome(
      work,
      m,
      data.phase,
      data.phase === "done" ? (data.progress ?? "") : (data.error ?? ""),
    );
  }

  /** Records in the audit trail what the rollout did to the machine (its outcome was just written). */
  recordOutcome(work: MachineWork, m: MachineRow, outcome: "done" | "failed" | "skipped", text: string) {
    return auditMachineOutcome(this.o.db, this.o.log, {
      rollout: work.rollout,
      machineId: m.machineId,
      hostname: m.machine.hostname,
      waveIndex: m.waveIndex,
      outcome,
      text,
      fromVersion: m.machine.talosVersion,
      toVersion: work.target,
    });
  }

  /** Left out because the rollout was aborted before this machine's reboot: not a failure of the machine. */
  private skipped(error: string) {
    return { phase: "skipped" as const, error, phaseSince: this.o.stamp(), finishedAt: this.o.stamp() };
  }

  private failed(error: string) {
    return { phase: "failed" as const, error, phaseSince: this.o.stamp(), finishedAt: this.o.stamp() };
  }

  /** Runs a machine's task under the rollout's lease: aborted when the lease is lost or the instance stops. */
  private track(
    id: string,
    lease: RolloutLease,
    run: (signal: AbortSignal, stop: AbortSignal) => Promise<void>,
  ): void {
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, lease.signal]);
    const task = { controller, signal, stop: new AbortController() };
    this.tasks.set(id, task);
    void run(signal, task.stop.signal)
      .catch((err) => {
        if (!signal.aborted) this.o.log.error({ err, rolloutMachine: id }, "rollout task failed");
      })
      .finally(() => {
        if (this.tasks.get(id) === task) this.tasks.delete(id);
      });
  }
}

/** What an upgrade of a rollout's machine is: the installer, and what Kubernetes must see around the reboot. */
export interface MachineWork {
  /** The rollout the work is for (the audit trail names it as the actor), and its target version. */
  rollout: { id: string; name: string };
  target: string;
  image: string;
  gate: KubeGate;
}

/** A failure of the Kubernetes steps: final for the machine (unlike Talos being unreachable while it reboots). */
function isKubernetesFailure(err: unknown): boolean {
  return err instanceof DrainFailedError || err instanceof NodeNotReadyError;
}

/** What an upgrade's progress says on the machine's row; undefined for steps that change nothing shown. */
export function progressText(p: UpgradeProgress): string | undefined {
  switch (p.step) {
    case "requested":
      return `upgrade accepted (${p.path})`;
    case "event": {
      const e = p.event.payload;
      if (e.type === "phase") return `phase ${e.phase} ${e.action}`;
      if (e.type === "sequence") return `sequence ${e.sequence} ${e.action}`;
      return undefined;
    }
    case "disconnected":
      return "rebooting (disconnected, as expected)";
    default:
      return undefined;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
