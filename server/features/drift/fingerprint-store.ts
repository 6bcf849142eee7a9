// Fingerprints in the database: each drift reading's components are hashed when the reading is stored, and the
// components kept once per distinct fingerprint (drift_fingerprint), so grouping reads a few thousand distinct
// fingerprints instead of walking 10,000 configurations. Older readings get theirs on first use.
import type { PrismaClient } from "../../platform/db/client";
import { Prisma } from "../../platform/db/generated/client";
import type { ConfigDocument } from "./config-documents";
import {
  fingerprintOf,
  loadComponents,
  type MachineComponents,
  type ReadingParts,
  readingComponents,
  type StoredComponents,
  storeComponents,
} from "./fingerprint";

type Client = PrismaClient | Prisma.TransactionClient;

/** Stores components under their fingerprints (touching those that exist), in one statement. */
async function storeComponentSets(db: Client, sets: Map<string, MachineComponents>): Promise<void> {
  if (sets.size === 0) return;
  const rows = [...sets].map(
    ([fingerprint, c]) => Prisma.sql`(${fingerprint}, ${JSON.stringify(storeComponents(c))}::jsonb, now())`,
  );
  await db.$executeRaw`
    INSERT INTO drift_fingerprint (fingerprint, components, used_at)
    VALUES ${Prisma.join(rows)}
    ON CONFLICT (fingerprint) DO UPDATE SET used_at = now()`;
}

/** Hashes a reading's components and stores them under that hash (touching it when it exists); the hash. */
export async function storeFingerprint(db: Client, reading: ReadingParts): Promise<string> {
  const components = readingComponents(reading);
  const fingerprint = fingerprintOf(components);
  await storeComponentSets(db, new Map([[fingerprint, components]]));
  return fingerprint;
}

const readingOf = (s: {
  extensions: unknown;
  schematicId: string | null;
  kernelArgs: unknown;
  config: unknown;
}): ReadingParts => ({
  extensions: (s.extensions as string[] | null) ?? null,
  schematicId: s.schematicId,
  kernelArgs: (s.kernelArgs as string[] | null) ?? null,
  config: (s.config as ConfigDocument[] | null) ?? null,
});

const readingSelect = {
  machineId: true,
  extensions: true,
  schematicId: true,
  kernelArgs: true,
  config: true,
} as const;

/** Gives readings stored without a fingerprint (before fingerprints existed, or written directly) theirs. */
export async function backfillFingerprints(db: PrismaClient, batch = 500): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = await db.machineDriftState.findMany({
      where: { fingerprint: null },
      select: readingSelect,
      take: batch,
    });
    if (rows.length === 0) return done;
    const sets = new Map<string, MachineComponents>();
    const pairs: Prisma.Sql[] = [];
    for (const r of rows) {
      const components = readingComponents(readingOf(r));
      const fingerprint = fingerprintOf(components);
      sets.set(fingerprint, components);
      pairs.push(Prisma.sql`(${r.machineId}::uuid, ${fingerprint})`);
    }
    await storeComponentSets(db, sets);
    await db.$executeRaw`
      UPDATE machine_drift_state s SET fingerprint = v.fp
      FROM (VALUES ${Prisma.join(pairs)}) AS v(id, fp)
      WHERE s.machine_id = v.id AND s.fingerprint IS NULL`;
    done += rows.length;
    if (rows.length < batch) return done;
  }
}

/** Components are immutable per fingerprint: kept in memory once read (bounded). */
const known = new Map<string, MachineComponents>();
const KEEP = 50_000;

/** The components of these fingerprints; one missing from the table (removed meanwhile) is computed again. */
export async function fingerprintComponents(
  db: PrismaClient,
  fingerprints: Iterable<string>,
): Promise<Map<string, MachineComponents>> {
  const out = new Map<string, MachineComponents>();
  const missing: string[] = [];
  for (const f of new Set(fingerprints)) {
    const c = known.get(f);
    if (c) out.set(f, c);
    else missing.push(f);
  }
  if (missing.length === 0) return out;
  const rows = await db.driftFingerprint.findMany({
    where: { fingerprint: { in: missing } },
    select: { fingerprint: true, components: true },
  });
  for (const r of rows) {
    const c = loadComponents(r.components as unknown as StoredComponents);
    out.set(r.fingerprint, c);
    if (known.size >= KEEP) known.clear();
    known.set(r.fingerprint, c);
  }
  for (const f of missing.filter((x) => !out.has(x))) {
    const state = await db.machineDriftState.findFirst({ where: { fingerprint: f }, select: readingSelect });
    if (!state) continue;
    await storeFingerprint(db, readingOf(state));
    out.set(f, readingComponents(readingOf(state)));
  }
  return out;
}

/** Removes fingerprints no reading has used for a day (a day's grace: a reading may be storing one now). */
export async function pruneFingerprints(db: PrismaClient, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - 86_400_000);
  return db.$executeRaw`
    DELETE FROM drift_fingerprint f WHERE f.used_at < ${cutoff}
      AND NOT EXISTS (SELECT 1 FROM machine_drift_state s WHERE s.fingerprint = f.fingerprint)`;
}
