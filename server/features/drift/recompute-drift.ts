// The drift engine against the database: recomputes the drift items of some machines (one changed) or all
// (a baseline changed), writes only what changed, and records history (appeared, changed, cleared).
import type { PrismaClient } from "../../platform/db/client";
import { Prisma } from "../../platform/db/generated/client";
import type { CompiledBaseline } from "./baseline";
import { computeDrift } from "./compute-drift";
import { trackDrift } from "./history";
import { loadBaselines } from "./load-baselines";
import { loadDriftInputs } from "./machine-drift-input";
import { rankBaselines, resolveExpectations } from "./precedence";

export interface RecomputeResult {
  machines: number;
  changedMachines: number;
  events: number;
}

/** JSON columns: a declared null ("kernel argument must be absent") is JSON null; an absent value is SQL NULL. */
const json = (v: unknown) =>
  v === undefined ? undefined : v === null ? Prisma.JsonNull : (v as Prisma.InputJsonValue);

/** Serialises drift writes across instances: each page is read and written under this transaction lock. */
const DRIFT_LOCK = 0x6d696e6f; // "mino"
const PAGE = 1_000;

/** Takes the drift lock for the rest of the transaction (recomputation and acknowledgements hold it). */
export async function lockDrift(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${DRIFT_LOCK}::bigint)`;
}

export async function recomputeDrift(opts: {
  db: PrismaClient;
  /** Only these machines; all when absent. */
  machineIds?: string[];
  baselines?: CompiledBaseline[];
  now?: Date;
}): Promise<RecomputeResult> {
  const { db } = opts;
  const now = opts.now ?? new Date();
  const ranked = rankBaselines(opts.baselines ?? (await loadBaselines(db)));
  const ids =
    opts.machineIds ??
    (
      await db.machine.findMany({ where: { removedAt: null }, select: { id: true }, orderBy: { id: "asc" } })
    ).map((m) => m.id);
  const result: RecomputeResult = { machines: 0, changedMachines: 0, events: 0 };
  for (let i = 0; i < ids.length; i += PAGE) {
    const chunk = ids.slice(i, i + PAGE);
    // read, compare and write under one lock, so two recomputations never record the same change twice
    await db.$transaction(
      async (tx) => {
        await lockDrift(tx);
        const page = await loadDriftInputs(tx, { id: { in: chunk } });
        const itemRows: Prisma.DriftItemCreateManyInput[] = [];
        const eventRows: Prisma.DriftEventCreateManyInput[] = [];
        const changed: string[] = [];
        for (const m of page) {
          result.machines++;
          const items = computeDrift(resolveExpectations(ranked, m.facts), m.actual);
          const tracked = trackDrift(m.items, items, now);
          if (!tracked.changed) continue;
          changed.push(m.facts.id);
          for (const t of tracked.items) {
            itemRows.push({
              machineId: m.facts.id,
              field: t.field,
              kind: t.kind,
              declared: json(t.declared) ?? Prisma.JsonNull,
              actual: json(t.actual),
              state: t.state,
              reason: t.reason ?? "",
              baselineId: t.baseline.id,
              baselineName: t.baseline.name,
              since: t.since,
            });
          }
          for (const e of tracked.events) {
            eventRows.push({
              machineId: m.facts.id,
              at: now,
              field: e.field,
              change: e.change,
              declared: json(e.declared),
              actual: json(e.actual),
              state: e.state,
              baselineName: e.baselineName,
            });
          }
        }
        if (changed.length === 0) return;
        // acknowledgements outlive items (an item that clears and comes back is still acknowledged)
        const acks = await tx.driftAcknowledgement.findMany({
          where: { machineId: { in: changed } },
          select: { machineId: true, field: true, expiresAt: true },
        });
        const ackUntil = new Map(acks.map((a) => [`${a.machineId}\u0000${a.field}`, a.expiresAt]));
        for (const row of itemRows)
          row.acknowledgedUntil = ackUntil.get(`${row.machineId}\u0000${row.field}`) ?? null;
        await tx.driftItem.deleteMany({ where: { machineId: { in: changed } } });
        await tx.driftItem.createMany({ data: itemRows });
        await tx.driftEvent.createMany({ data: eventRows });
        result.changedMachines += changed.length;
        result.events += eventRows.length;
      },
      { timeout: 120_000, maxWait: 60_000 },
    );
  }
  return result;
}
