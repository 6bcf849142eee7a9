// Operator controls on a running rollout: pause, resume, abort (nothing new starts; in-flight
// machines finish), retry a failed machine (a new attempt), skip a machine. Audited by the router.

import { AppError } from "../../model/errors";
import { failureAllowance, safetySchema } from "../../model/rollout-safety";
import type { PrismaClient } from "../../platform/db/client";
import { rolloutsWithinScope } from "./visible-rollouts";

type Control = "pause" | "resume" | "abort";

const ALLOWED: Record<Control, { from: string[]; to: "paused" | "running" | "aborting" }> = {
  pause: { from: ["running"], to: "paused" },
  resume: { from: ["paused"], to: "running" },
  abort: { from: ["pending", "running", "paused"], to: "aborting" },
};

/** Throws NOT_FOUND unless the rollout exists and every machine of its plan is within `scopes`. */
async function assertActionable(db: PrismaClient, scopes: string[], id: string): Promise<void> {
  const r = await db.rollout.findFirst({
    where: { id, ...rolloutsWithinScope(scopes) },
    select: { id: true },
  });
  if (!r) throw new AppError("NOT_FOUND", { userMessage: "There is no such rollout." });
}

/** `scopes`: the operator's rollouts.run scopes; a rollout reaching beyond them is not found. */
export async function controlRollout({
  db,
  scopes,
  id,
  control,
  by,
}: {
  db: PrismaClient;
  scopes: string[];
  id: string;
  control: Control;
  /** Who asks (their name goes into the rollout's status reason). */
  by: string;
}): Promise<{ status: string; acceptedPodCheck?: boolean }> {
  const rule = ALLOWED[control];
  await assertActionable(db, scopes, id);
  if (control === "resume") await assertWithinBudget(db, id);
  const changed = await db.rollout.updateMany({
    where: {
      id,
      status: { in: rule.from as ("pending" | "running" | "paused")[] },
      ...rolloutsWithinScope(scopes),
    },
    data: { status: rule.to, statusReason: `${control === "abort" ? "aborted" : `${control}d`} by ${by}` },
  });
  if (changed.count === 0) {
    const r = await db.rollout.findUnique({ where: { id }, select: { status: true } });
    if (!r) throw new AppError("NOT_FOUND", { userMessage: "There is no such rollout." });
    throw new AppError("CONFLICT", { userMessage: `The rollout is ${r.status}, so it cannot ${control}.` });
  }
  if (control === "resume") {
    // Resuming a rollout its pod check held accepts what the check found: the wave finishes.
    const r = await db.rollout.findUniqueOrThrow({ where: { id }, select: { currentWave: true } });
    const waived = await db.rolloutWave.updateMany({
      where: { rolloutId: id, index: r.currentWave, podCheckHeldAt: { not: null }, podCheckWaivedBy: null },
      data: { podCheckWaivedBy: by },
    });
    return { status: rule.to, acceptedPodCheck: waived.count > 0 };
  }
  return { status: rule.to };
}

/**
 * A rollout paused because its wave ran over its failure budget would pause again at once: resuming is
 * refused until enough failed machines are retried or skipped.
 */
async function assertWithinBudget(db: PrismaClient, id: string): Promise<void> {
  const r = await db.rollout.findUnique({ where: { id }, select: { safety: true, currentWave: true } });
  if (!r) return; // the update below says there is no such rollout
  const wave = await db.rolloutWave.findUnique({
    where: { rolloutId_index: { rolloutId: id, index: r.currentWave } },
    select: { name: true },
  });
  const [size, failed] = await Promise.all([
    db.rolloutMachine.count({ where: { rolloutId: id, waveIndex: r.currentWave } }),
    db.rolloutMachine.count({ where: { rolloutId: id, waveIndex: r.currentWave, phase: "failed" } }),
  ]);
  const allowance = failureAllowance(safetySchema.parse(r.safety).failureBudget, size);
  if (failed > allowance) {
    throw new AppError("CONFLICT", {
      userMessage: `${wave?.name ?? "The wave"} still has ${failed} failed machines, more than its failure budget of ${allowance}, so it would pause again at once. Retry or skip failed machines first.`,
    });
  }
}

/** Retry: a failed machine goes back to pending with a new attempt number; skip: it is left out. */
/** `scopes`: the operator's rollouts.run scopes; a rollout reaching beyond them is not found. */
export async function machineControl({
  db,
  scopes,
  rolloutId,
  machineId,
  control,
}: {
  db: PrismaClient;
  scopes: string[];
  rolloutId: string;
  machineId: string;
  control: "retry" | "skip";
}): Promise<{ phase: string }> {
  await assertActionable(db, scopes, rolloutId);
  const m = await db.rolloutMachine.findUnique({
    where: { rolloutId_machineId: { rolloutId, machineId } },
    select: { phase: true, rollout: { select: { status: true } } },
  });
  if (!m) throw new AppError("NOT_FOUND", { userMessage: "This machine is not part of the rollout." });
  if (["aborted", "completed", "rejected"].includes(m.rollout.status)) {
    throw new AppError("CONFLICT", { userMessage: `The rollout is ${m.rollout.status}.` });
  }
  const from = control === "retry" ? ["failed"] : ["pending", "pulled", "failed"];
  const changed = await db.rolloutMachine.updateMany({
    where: { rolloutId, machineId, phase: { in: from as ("failed" | "pending" | "pulled")[] } },
    data:
      control === "retry"
        ? {
            phase: "pending",
            phaseSince: new Date(),
            inFlightSince: null,
            error: null,
            progress: "retry requested",
          }
        : {
            phase: "skipped",
            phaseSince: new Date(),
            finishedAt: new Date(),
            progress: "skipped by an operator",
          },
  });
  if (changed.count === 0) {
    throw new AppError("CONFLICT", {
      userMessage:
        control === "retry"
          ? `Only a failed machine can be retried; this one is ${m.phase}.`
          : `A machine that is ${m.phase} cannot be skipped (in flight or finished).`,
    });
  }
  return { phase: control === "retry" ? "pending" : "skipped" };
}
