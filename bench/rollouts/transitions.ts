// Every phase change of a rollout's machines, as Postgres saw it: a benchmark-only table filled by a trigger,
// so counting transitions costs the reconciler nothing and misses none, whoever wrote them.
import type { PrismaClient } from "../../server/platform/db/client";

export interface Transition {
  machine: string;
  from: string;
  to: string;
  at: Date;
}

export async function installTransitionLog(db: PrismaClient): Promise<void> {
  await db.$executeRawUnsafe(`
    CREATE TABLE bench_phase_transition (
      id bigserial PRIMARY KEY,
      rollout_machine_id uuid NOT NULL,
      from_phase text NOT NULL,
      to_phase text NOT NULL,
      at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
  await db.$executeRawUnsafe(`
    CREATE FUNCTION bench_record_phase() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO bench_phase_transition (rollout_machine_id, from_phase, to_phase)
      VALUES (NEW.id, OLD.phase::text, NEW.phase::text);
      RETURN NEW;
    END $$`);
  await db.$executeRawUnsafe(`
    CREATE TRIGGER bench_phase_transition AFTER UPDATE OF phase ON rollout_machine
    FOR EACH ROW WHEN (OLD.phase IS DISTINCT FROM NEW.phase) EXECUTE FUNCTION bench_record_phase()`);
}

/** The transitions in the order they were written. */
export async function readTransitions(db: PrismaClient): Promise<Transition[]> {
  return db.$queryRawUnsafe<Transition[]>(
    `SELECT rollout_machine_id::text AS machine, from_phase AS "from", to_phase AS "to", at FROM bench_phase_transition ORDER BY at, id`,
  );
}

/** Median seconds machines spent in each phase they left (pulling, pulled: waiting for a slot, upgrading). */
export function medianPhaseSeconds(transitions: readonly Transition[]): Record<string, number> {
  const entered = new Map<string, number>();
  const spent = new Map<string, number[]>();
  for (const t of transitions) {
    const since = entered.get(t.machine);
    if (since !== undefined && t.from !== "pending") {
      const list = spent.get(t.from) ?? [];
      list.push((t.at.getTime() - since) / 1000);
      spent.set(t.from, list);
    }
    entered.set(t.machine, t.at.getTime());
  }
  const out: Record<string, number> = {};
  for (const [phase, list] of spent) {
    list.sort((a, b) => a - b);
    out[phase] = +(list[Math.floor(list.length / 2)] ?? Number.NaN).toFixed(2);
  }
  return out;
}
