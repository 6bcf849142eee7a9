// "This change would mark N machines drifted, M clean": the engine run over the fleet with the edited baseline
// in place of the stored one, nothing written.
import type { PrismaClient } from "../../platform/db/client";
import { compileBaseline } from "./baseline";
import { computeDrift } from "./compute-drift";
import type { FieldError } from "./config-documents";
import { loadBaselines } from "./load-baselines";
import { machineDriftInputs } from "./machine-drift-input";
import { rankBaselines, resolveExpectations } from "./precedence";

export interface BaselinePreview {
  /** Machines the edited baseline declares something for (and wins at least one field). */
  applies: number;
  /** Of those: drifted, clean, and only unknown (configuration without an admin credential). */
  drifted: number;
  clean: number;
  unknown: number;
  /** Across the fleet, compared with the drift stored now. */
  newlyDrifted: number;
  newlyClean: number;
}

export async function previewBaseline(opts: {
  db: PrismaClient;
  input: { id?: string; name: string; description?: string; spec: unknown };
}): Promise<{ ok: true; preview: BaselinePreview } | { ok: false; errors: FieldError[] }> {
  const { db, input } = opts;
  const candidateId = input.id ?? "00000000-0000-0000-0000-000000000000";
  const { baseline, errors } = compileBaseline({ ...input, id: candidateId });
  if (!baseline) return { ok: false, errors };
  const others = (await loadBaselines(db)).filter((b) => b.id !== input.id && b.name !== baseline.name);
  const ranked = rankBaselines([...others, baseline]);
  const p: BaselinePreview = { applies: 0, drifted: 0, clean: 0, unknown: 0, newlyDrifted: 0, newlyClean: 0 };
  for await (const page of machineDriftInputs(db, {})) {
    for (const m of page) {
      const expectations = resolveExpectations(ranked, m.facts);
      const items = computeDrift(expectations, m.actual);
      const driftedNow = items.some((i) => i.state === "drifted");
      const driftedBefore = m.items.some((i) => i.state === "drifted");
      if (driftedNow && !driftedBefore) p.newlyDrifted++;
      if (!driftedNow && driftedBefore) p.newlyClean++;
      if (!expectations.some((e) => e.baseline.id === candidateId)) continue;
      p.applies++;
      const own = items.filter((i) => i.baseline.id === candidateId);
      if (own.some((i) => i.state === "drifted")) p.drifted++;
      else if (own.length > 0) p.unknown++;
      else p.clean++;
    }
  }
  return { ok: true, preview: p };
}
