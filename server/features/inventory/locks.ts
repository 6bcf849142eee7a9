// Rollout locks: a machine or a whole cluster no rollout may touch, with the reason, who took the lock
// and when. Locking and unlocking need the target within the caller's `rollouts.run` scope.
import { z } from "zod";
import { clusterScopeWhere, machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import { untrusted } from "../../model/untrusted-text";
import type { PrismaClient } from "../../platform/db/client";
import { Prisma } from "../../platform/db/generated/client";

export const lockTargetSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("machine"), id: z.uuid("must be a machine id") }),
  z.object({ kind: z.literal("cluster"), name: z.string().trim().min(1, "must name a cluster").max(253) }),
]);
export type LockTarget = z.infer<typeof lockTargetSchema>;

export const lockReasonSchema = z
  .string()
  .trim()
  .min(1, "say why it is locked (what is going on, and until when)")
  .max(300, "must be at most 300 characters");

/** What every read of a lock returns. */
export const lockSelect = {
  reason: true,
  createdBy: true,
  createdAt: true,
} satisfies Prisma.RolloutLockSelect;

export interface LockView {
  /** Whether the lock is on the machine itself or on its whole cluster. */
  on: "machine" | "cluster";
  reason: string;
  by: string;
  at: Date;
}

type LockRow = Prisma.RolloutLockGetPayload<{ select: typeof lockSelect }>;

export function lockView(on: LockView["on"], row: LockRow | undefined | null): LockView | null {
  return row ? { on, reason: row.reason, by: row.createdBy, at: row.createdAt } : null;
}

/** The lock that keeps rollouts off a machine: its cluster's first (it covers more), else its own. */
export function effectiveLock(machineLocks: LockRow[], clusterLocks: LockRow[]): LockView | null {
  return lockView("cluster", clusterLocks[0]) ?? lockView("machine", machineLocks[0]);
}

/** "machine web-3" / "cluster prod-aarhus-1", for messages. */
function labelOf(target: LockTarget, hostname?: string): string {
  return target.kind === "machine" ? `machine ${hostname ?? target.id}` : `cluster ${target.name}`;
}

/** The database id of a lock's target, if it exists within the scopes. */
async function resolve(
  db: PrismaClient,
  scopes: string[],
  target: LockTarget,
): Promise<{ where: Prisma.RolloutLockWhereUniqueInput; label: string }> {
  if (target.kind === "machine") {
    const m = await db.machine.findFirst({
      where: { AND: [machineScopeWhere(scopes), { id: target.id, removedAt: null }] },
      select: { id: true, hostname: true },
    });
    if (!m) {
      throw new AppError("NOT_FOUND", {
        userMessage: "This machine does not exist or is outside the scope you may run rollouts in.",
      });
    }
    return { where: { machineId: m.id }, label: labelOf(target, m.hostname) };
  }
  const c = await db.cluster.findFirst({
    where: { AND: [clusterScopeWhere(scopes), { name: target.name, removedAt: null }] },
    select: { id: true },
  });
  if (!c) {
    throw new AppError("NOT_FOUND", {
      userMessage: `Cluster "${target.name}" does not exist or is outside the scope you may run rollouts in.`,
    });
  }
  return { where: { clusterId: c.id }, label: labelOf(target) };
}

/** Locks a machine or cluster. Refused while it is locked already (the first lock's reason stands). */
export async function lockTarget(opts: {
  db: PrismaClient;
  scopes: string[];
  target: LockTarget;
  reason: string;
  by: string;
}): Promise<LockView> {
  const { where, label } = await resolve(opts.db, opts.scopes, opts.target);
  try {
    const row = await opts.db.rolloutLock.create({
      data: {
        ...(where as { machineId?: string; clusterId?: string }),
        reason: opts.reason,
        createdBy: opts.by,
      },
      select: lockSelect,
    });
    return lockView(opts.target.kind, row) as LockView;
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const held = await opts.db.rolloutLock.findUnique({ where, select: lockSelect });
      throw new AppError("CONFLICT", {
        userMessage: `The ${label} is already locked${held ? ` by ${untrusted(held.createdBy)}: ${untrusted(held.reason)}` : ""}. Unlock it first to change the reason.`,
      });
    }
    throw err;
  }
}

/** Removes the lock of a machine or cluster; returns what it was, for the audit trail. */
export async function unlockTarget(opts: {
  db: PrismaClient;
  scopes: string[];
  target: LockTarget;
}): Promise<LockView> {
  const { where, label } = await resolve(opts.db, opts.scopes, opts.target);
  const removed = await opts.db.rolloutLock.delete({ where, select: lockSelect }).catch((err) => {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2025") return null;
    throw err;
  });
  if (!removed) throw new AppError("CONFLICT", { userMessage: `The ${label} is not locked.` });
  return lockView(opts.target.kind, removed) as LockView;
}
