// The drift engine against the database: recomputes the drift items of some machines (one changed) or all
// (a baseline changed), writes only what changed, and records history (appeared, changed, cleared).
import type { PrismaClient } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { CompiledBaseline } from "./baseline";
import { computeDrift } from "./compute-drift";
import { trackDrift } from "./history";
import { loadBaselines } from "./load-baselines";
import { machineDriftInputs } from "./machine-drift-input";
import { rankBaselines, resolveExpectations } from "./precedence";

export interface RecomputeResult {
  machines: number;
  changedMachines: number;
  events: number;
}

/** JSON columns: a declared null ("kernel argument must be absent") is JSON null; an absent value is SQL NULL. */
const json = (v: unknown) =>
  v === undefined ? undefined : v === null ? Prisma.JsonNull : (v as Prisma.InputJsonValue);

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
  const where: Prisma.MachineWhereInput = opts.machineIds ? { id: { in: opts.machineIds } } : {};
  const result: RecomputeResult = { machines: 0, changedMachines: 0, events: 0 };
  for await (const page of machineDriftInputs(db, where)) {
    const itemRows: Prisma.DriftItemCreateManyInput[] = [];
    const eventRows: Prisma.DriftEventCreateManyInput[] = [];
    const changed: string[] = [];
    for (const m of page) {
      result.machines++;
      const items = computeDrift(resolveExpectations(ranked, m.facts), m.actual);
      const tracked = trackDrift(m.items, items, now);
      if (tracked.events.length === 0) continue;
      changed.push(m.facts.id);
      for (const i of tracked.items) {
        itemRows.push({
          machineId: m.facts.id,
          field: i.field,
          kind: i.kind,
          declared: json(i.declared) ?? Prisma.JsonNull,
          actual: json(i.actual),
          state: i.state,
          reason: i.reason ?? "",
          baselineId: i.baseline.id,
          baselineName: i.baseline.name,
          since: i.since,
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
    if (changed.length === 0) continue;
    await db.$transaction([
      db.driftItem.deleteMany({ where: { machineId: { in: changed } } }),
      db.driftItem.createMany({ data: itemRows }),
      db.driftEvent.createMany({ data: eventRows }),
    ]);
    result.changedMachines += changed.length;
    result.events += eventRows.length;
  }
  return result;
}
