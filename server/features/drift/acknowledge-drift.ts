// Acknowledging a drift item: it stays visible with the reason, but does not count until it expires.
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { lockDrift } from "./recompute-drift";

const MAX_DAYS = 365;

export async function acknowledgeDrift(opts: {
  db: PrismaClient;
  scopes: string[];
  machineId: string;
  field: string;
  reason: string;
  expiresAt: Date;
  by: string;
  now?: Date;
}) {
  const now = opts.now ?? new Date();
  if (opts.expiresAt <= now) {
    throw new AppError("BAD_REQUEST", { userMessage: "The expiry must be in the future." });
  }
  if (opts.expiresAt.getTime() - now.getTime() > MAX_DAYS * 86_400_000) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `Acknowledge for at most ${MAX_DAYS} days, then look again.`,
    });
  }
  const item = await opts.db.driftItem.findFirst({
    where: { machineId: opts.machineId, field: opts.field, machine: machineScopeWhere(opts.scopes) },
    select: { field: true },
  });
  if (!item) {
    throw new AppError("NOT_FOUND", {
      userMessage: "This machine has no such drift item (it may have cleared), or it is outside your scope.",
    });
  }
  const data = { reason: opts.reason, expiresAt: opts.expiresAt, createdBy: opts.by, createdAt: now };
  const key = { machineId: opts.machineId, field: opts.field };
  // under the drift lock, so a recomputation rewriting this machine's items cannot miss it
  return opts.db.$transaction(async (tx) => {
    await lockDrift(tx);
    await tx.driftItem.updateMany({ where: key, data: { acknowledgedUntil: opts.expiresAt } });
    return tx.driftAcknowledgement.upsert({
      where: { machineId_field: key },
      create: { ...key, ...data },
      update: data,
      select: { id: true, field: true, reason: true, expiresAt: true, createdBy: true },
    });
  });
}

export async function removeAcknowledgement(opts: {
  db: PrismaClient;
  scopes: string[];
  machineId: string;
  field: string;
}) {
  const r = await opts.db.$transaction(async (tx) => {
    await lockDrift(tx);
    const removed = await tx.driftAcknowledgement.deleteMany({
      where: { machineId: opts.machineId, field: opts.field, machine: machineScopeWhere(opts.scopes) },
    });
    if (removed.count > 0) {
      await tx.driftItem.updateMany({
        where: { machineId: opts.machineId, field: opts.field },
        data: { acknowledgedUntil: null },
      });
    }
    return removed;
  });
  if (r.count === 0) throw new AppError("NOT_FOUND", { userMessage: "There is no such acknowledgement." });
}
