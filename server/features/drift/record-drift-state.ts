// Stores a machine's drift reading (already redacted) when it changed, with its fingerprint, and says whether it did.
import { createHash } from "node:crypto";
import type { PrismaClient } from "../../platform/db/client";
import { Prisma } from "../../platform/db/generated/client";
import { storeFingerprint } from "./fingerprint-store";
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
  const stored = await db.machineDriftState.findUnique({
    where: { machineId },
    select: { readingHash: true },
  });
  if (stored?.readingHash === hash) return false;
  const data = {
    extensions: jsonOrNull(reading.extensions),
    schematicId: reading.schematicId,
    schematic: jsonOrNull(reading.schematic),
    kernelArgs: jsonOrNull(reading.kernelArgs),
    config: jsonOrNull(reading.config),
    configUnknownReason: reading.configUnknownReason,
    readingHash: hash,
    readAt: now,
    // the components are stored before any row points at them
    fingerprint: await storeFingerprint(db, reading),
  };
  if (stored) {
    const updated = await db.machineDriftState.updateMany({
      where: { machineId, readingHash: { not: hash } },
      data,
    });
    return updated.count > 0;
  }
  try {
    await db.machineDriftState.create({ data: { machineId, ...data } });
    return true;
  } catch (err) {
    // created meanwhile by another instance: same reading, nothing to do
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return false;
    throw err;
  }
}
