// "This change would mark N machines drifted, M clean", and which: the engine run over the fleet with the
// edited baseline in place of the stored one, nothing written.
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
  /** The machines it applies to, drifted first, then unknown, then clean (at most PREVIEW_LISTED). */
  machines: Array<{
    id: string;
    hostname: string;
    cluster: string;
    outcome: "drifted" | "unknown" | "clean";
    fields: string[];
  }>;
}

/** Machines a preview names (the counts cover them all). */
export const PREVIEW_LISTED = 200;
const ORDER = { drifted: 0, unknown: 1, clean: 2 } as const;

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
  const p: BaselinePreview = {
    applies: 0,
    drifted: 0,
    clean: 0,
    unknown: 0,
    newlyDrifted: 0,
    newlyClean: 0,
    machines: [],
  };
  const listed: BaselinePreview["machines"] = [];
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
      const outcome = own.some((i) => i.state === "drifted")
        ? "drifted"
        : own.length > 0
          ? "unknown"
          : "clean";
      p[outcome]++;
      listed.push({
        id: m.facts.id,
        hostname: m.facts.hostname,
        cluster: m.facts.cluster,
        outcome,
        fields: own.filter((i) => i.state === outcome).map((i) => i.field),
      });
    }
  }
  listed.sort((a, b) => ORDER[a.outcome] - ORDER[b.outcome] || a.hostname.localeCompare(b.hostname));
  p.machines = listed.slice(0, PREVIEW_LISTED);
  return { ok: true, preview: p };
}
