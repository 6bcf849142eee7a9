// The audit trail records what a rollout did to each machine, once, by whoever wrote its outcome: the
// actor is the rollout (approved by the people who approved its wave), the target the machine, the
// details the versions, the drain, and the outcome in words. Recording never holds the rollout up: a
// failure to record is logged.
import type { Logger } from "pino";
import { recordAudit } from "../../../access/audit/record-audit";
import type { PrismaClient } from "../../../platform/db/client";

export interface MachineOutcome {
  rollout: { id: string; name: string };
  machineId: string;
  hostname: string;
  waveIndex: number;
  outcome: "done" | "failed" | "skipped";
  /** In words: the row's progress or error. */
  text: string;
  fromVersion?: string;
  toVersion: string;
}

export async function auditMachineOutcome(db: PrismaClient, log: Logger, o: MachineOutcome): Promise<void> {
  try {
    const [approvals, row] = await Promise.all([
      db.rolloutApproval.findMany({
        where: { rolloutId: o.rollout.id, waveIndex: o.waveIndex, approved: true, voidedAt: null },
        orderBy: { at: "asc" },
        select: { username: true },
      }),
      db.rolloutMachine.findFirst({
        where: { rolloutId: o.rollout.id, machineId: o.machineId },
        select: { drainMs: true, attempt: true },
      }),
    ]);
    await recordAudit(db, {
      actor: `rollout:${o.rollout.name}`,
      action: "rollouts.upgradeMachine",
      target: `machine:${o.machineId}`,
      result: o.outcome === "failed" ? "error" : "ok",
      details: {
        rollout: o.rollout.id,
        hostname: o.hostname,
        wave: o.waveIndex,
        approvedBy: approvals.map((a) => a.username),
        outcome: o.outcome,
        text: o.text,
        from: o.fromVersion ?? null,
        to: o.toVersion,
        attempt: row?.attempt ?? null,
        drainMs: row?.drainMs ?? null,
      },
    });
  } catch (err) {
    log.error({ err, machine: o.hostname }, "could not record the machine's outcome in the audit trail");
  }
}
