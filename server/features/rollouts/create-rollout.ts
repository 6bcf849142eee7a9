// Previewing and saving a rollout: the plan is computed on the server from the current fleet, shown
// before saving, and stored with its waves and machines.
import { z } from "zod";
import { AppError } from "../../model/errors";
import type { Principal } from "../../model/principal";
import { safetySchema } from "../../model/rollout-safety";
import type { PrismaClient } from "../../platform/db/client";
import { describeScope, loadCandidates, rolloutScopeSchema } from "./load-candidates";
import { withMaintenanceWindows } from "./load-maintenance-windows";
import { type Plan, planRollout, wavePlanSchema } from "./plan";
import { installerTag, parseTalosVersion } from "./upgrade-path";
import { rolloutsWithinScope } from "./visible-rollouts";

export const rolloutSpecSchema = z.object({
  name: z.string().trim().min(1, "give the rollout a name").max(120),
  /** Installer image (ghcr.io/siderolabs/installer:v1.14.0, or an image factory one); the version is its tag. */
  installerImage: z
    .string()
    .trim()
    .min(1, "name the installer image")
    .max(500)
    .regex(/^[a-z0-9][a-z0-9._/:-]*(@sha256:[a-f0-9]{64})?$/, "is not an image reference"),
  scope: rolloutScopeSchema,
  wavePlan: wavePlanSchema,
  safety: safetySchema,
});
export type RolloutSpec = z.infer<typeof rolloutSpecSchema>;

/** The Talos version an installer image installs; a clear error when its tag is not a version. */
export function targetVersionOf(image: string): string {
  const tag = installerTag(image);
  if (!tag || !parseTalosVersion(tag)) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `The installer image "${image}" has no version tag (expected e.g. ghcr.io/siderolabs/installer:v1.14.0).`,
    });
  }
  return tag;
}

export async function previewRollout({
  db,
  scopes,
  spec,
}: {
  db: PrismaClient;
  scopes: string[];
  spec: RolloutSpec;
}): Promise<Plan> {
  const candidates = await loadCandidates({ db, scopes, scope: spec.scope });
  return planRollout({
    machines: candidates.machines,
    targetVersion: targetVersionOf(spec.installerImage),
    wavePlan: spec.wavePlan,
    safety: await withMaintenanceWindows(db, spec.safety),
    locks: candidates.locks,
    controlPlanesPerCluster: candidates.controlPlanesPerCluster,
  });
}

/** Machines already in a rollout that has not finished: one machine is in one active rollout only. */
async function busyMachines(db: PrismaClient, ids: string[], except?: string): Promise<Map<string, string>> {
  const rows = await db.rolloutMachine.findMany({
    where: {
      machineId: { in: ids },
      rollout: {
        status: { in: ["pending", "running", "paused", "aborting"] },
        id: except ? { not: except } : undefined,
      },
      phase: { notIn: ["done", "skipped"] },
    },
    select: { machineId: true, rollout: { select: { name: true } } },
  });
  return new Map(rows.map((r) => [r.machineId, r.rollout.name]));
}

/** Writes the plan's waves and machines for a rollout (replacing any earlier ones). */
async function writePlan(tx: PrismaClient, rolloutId: string, plan: Plan): Promise<void> {
  await tx.rolloutMachine.deleteMany({ where: { rolloutId } });
  await tx.rolloutWave.deleteMany({ where: { rolloutId } });
  await tx.rolloutLeftOut.deleteMany({ where: { rolloutId } });
  // The machines left out (not those already on the target: nothing is left to do for them).
  const leftOut = plan.excluded.filter((e) => e.kind !== "on-target");
  if (leftOut.length > 0) {
    await tx.$executeRaw`
      INSERT INTO rollout_left_out (rollout_id, machine_id, kind, reason)
      SELECT ${rolloutId}::uuid, m, k, r
      FROM unnest(${leftOut.map((e) => e.machineId)}::uuid[], ${leftOut.map((e) => e.kind)}::text[],
                  ${leftOut.map((e) => e.reason)}::text[]) AS t(m, k, r)`;
  }
  await tx.rolloutWave.createMany({
    data: plan.waves.map((w) => ({ rolloutId, index: w.index, name: w.name })),
  });
  // One statement over arrays: a fleet-wide plan is 10,000 rows, which row-by-row parameters
  // (createMany) turn into several large statements and seconds inside the transaction.
  const machineIds = plan.waves.flatMap((w) => w.machineIds);
  const waveIndexes = plan.waves.flatMap((w) => w.machineIds.map(() => w.index));
  const positions = machineIds.map((_, i) => i);
  await tx.$executeRaw`
    INSERT INTO rollout_machine (id, rollout_id, machine_id, wave_index, position)
    SELECT gen_random_uuid(), ${rolloutId}::uuid, m, w, p
    FROM unnest(${machineIds}::uuid[], ${waveIndexes}::int[], ${positions}::int[]) AS t(m, w, p)`;
  // The insert waited for any removal holding these machines' rows (a cluster's removal, discovery marking
  // a departure): one that committed meanwhile is seen now, and no rollout keeps a machine that left.
  const [left] = await tx.$queryRaw<[{ n: number }]>`
    SELECT count(*)::int AS n FROM machine WHERE id = ANY(${machineIds}::uuid[]) AND removed_at IS NOT NULL`;
  if (left && left.n > 0) {
    throw new AppError("CONFLICT", {
      userMessage: `${left.n} of these machines left the inventory meanwhile (they left their cluster, or it was removed). Look at the plan again.`,
    });
  }
}

/** Saving a fleet-wide plan writes thousands of rows: more than Prisma's 5 s default on a busy database. */
const PLAN_WRITE = { maxWait: 10_000, timeout: 60_000 };

async function checkedPlan(db: PrismaClient, scopes: string[], spec: RolloutSpec, except?: string) {
  const plan = await previewRollout({ db, scopes, spec });
  if (plan.waves.length === 0) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `No machine can be upgraded to ${plan.targetVersion}: all ${plan.inScope} in scope are excluded (see the plan preview).`,
    });
  }
  const busy = await busyMachines(
    db,
    plan.waves.flatMap((w) => w.machineIds),
    except,
  );
  if (busy.size > 0) {
    const names = [...new Set(busy.values())];
    throw new AppError("CONFLICT", {
      userMessage: `${busy.size === 1 ? "1 of these machines is" : `${busy.size} of these machines are`} already in an unfinished rollout (${names.slice(0, 3).join(", ")}). Finish or abort ${names.length === 1 ? "it" : "them"}, or leave ${busy.size === 1 ? "it" : "them"} out.`,
    });
  }
  return plan;
}

export async function createRollout({
  db,
  principal,
  scopes,
  spec,
}: {
  db: PrismaClient;
  principal: Principal;
  scopes: string[];
  spec: RolloutSpec;
}): Promise<{ id: string; plan: Plan }> {
  const plan = await checkedPlan(db, scopes, spec);
  const id = await db.$transaction(async (tx) => {
    const rollout = await tx.rollout.create({
      data: {
        name: spec.name,
        targetVersion: plan.targetVersion,
        installerImage: spec.installerImage,
        scopeText: describeScope(spec.scope),
        wavePlan: { scope: spec.scope, ...spec.wavePlan },
        safety: spec.safety,
        createdById: principal.userId,
        createdBy: principal.username,
        lastChangedById: principal.userId,
        lastChangedBy: principal.username,
      },
      select: { id: true },
    });
    await writePlan(tx as unknown as PrismaClient, rollout.id, plan);
    return rollout.id;
  }, PLAN_WRITE);
  return { id, plan };
}

/**
 * Changes a rollout's plan before any machine started: re-plans from the current fleet, bumps the
 * revision and voids every approval (approvals are for one revision only).
 */
export async function changeRollout({
  db,
  principal,
  scopes,
  id,
  spec,
}: {
  db: PrismaClient;
  principal: Principal;
  scopes: string[];
  id: string;
  spec: RolloutSpec;
}): Promise<{ plan: Plan; voided: number }> {
  const current = await db.rollout.findFirst({
    where: { id, ...rolloutsWithinScope(scopes) },
    select: { status: true, revision: true },
  });
  if (!current) throw new AppError("NOT_FOUND", { userMessage: "There is no such rollout." });
  const started = await db.rolloutMachine.count({ where: { rolloutId: id, phase: { not: "pending" } } });
  if (!["pending", "running"].includes(current.status) || started > 0) {
    throw new AppError("CONFLICT", {
      userMessage:
        "This rollout has started, so its plan can no longer change. Abort it and create a new one.",
    });
  }
  const plan = await checkedPlan(db, scopes, spec, id);
  const voided = await db.$transaction(async (tx) => {
    const changed = await tx.rollout.updateMany({
      where: { id, revision: current.revision, status: { in: ["pending", "running"] } },
      data: {
        status: "pending",
        name: spec.name,
        targetVersion: plan.targetVersion,
        installerImage: spec.installerImage,
        scopeText: describeScope(spec.scope),
        wavePlan: { scope: spec.scope, ...spec.wavePlan },
        safety: spec.safety,
        revision: { increment: 1 },
        currentWave: 0,
        lastChangedById: principal.userId,
        lastChangedBy: principal.username,
      },
    });
    if (changed.count === 0) {
      throw new AppError("CONFLICT", {
        userMessage: "Someone else changed this rollout meanwhile. Reload it.",
      });
    }
    const { count } = await tx.rolloutApproval.updateMany({
      where: { rolloutId: id, voidedAt: null },
      data: { voidedAt: new Date() },
    });
    const startedMeanwhile = await tx.rolloutMachine.count({
      where: { rolloutId: id, phase: { not: "pending" } },
    });
    if (startedMeanwhile > 0) {
      throw new AppError("CONFLICT", {
        userMessage: "The rollout started meanwhile, so its plan can no longer change.",
      });
    }
    await writePlan(tx as unknown as PrismaClient, id, plan);
    return count;
  }, PLAN_WRITE);
  return { plan, voided };
}
