// Stores a machine's drift reading (already redacted) when it changed, and says whether it did.
import { createHash } from "node:crypto";
import type { PrismaClient } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { DriftReading } from "./read-drift-state";

export function readingHash(r: DriftReading): string {
  return createHash("sha256").update(JSON.stringify(r)).digest("hex").slice(0, 32);
}

const jsonOrNull = (v: unknown) => (v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/** Upserts the reading unless its hash is the stored one; true when it changed. */
export async function recordDriftState(
  db: PrismaClient,
  machineId: string,
  reading: DriftReading,
  now = new Date(),
) {
  const hash = readingHash(reading);
  const data = {
    extensions: jsonOrNull(reading.extensions),
    schematicId: reading.schematicId,
    schematic: jsonOrNull(reading.schematic),
    kernelArgs: jsonOrNull(reading.kernelArgs),
    config: jsonOrNull(reading.config),
    configUnknownReason: reading.configUnknownReason,
    readingHash: hash,
    readAt: now,
  };
  const updated = await db.machineDriftState.updateMany({
    where: { machineId, readingHash: { not: hash } },
    data,
  });
  if (updated.count > 0) return true;
  const exists = await db.machineDriftState.findUnique({ where: { machineId }, select: { machineId: true } });
  if (exists) return false;
  await db.machineDriftState.create({ data: { machineId, ...data } }).catch((err: unknown) => {
    // created meanwhile by another instance: same reading, nothing to do
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")) throw err;
  });
  return true;
}
