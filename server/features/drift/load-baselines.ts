// Baselines from the database, compiled for the engine (they were validated when saved).
import type { PrismaClient } from "../../platform/db/client";
import { type CompiledBaseline, compileBaseline } from "./baseline";

export async function loadBaselines(db: PrismaClient): Promise<CompiledBaseline[]> {
  const rows = await db.baseline.findMany({ orderBy: { name: "asc" } });
  const out: CompiledBaseline[] = [];
  for (const r of rows) {
    const { baseline } = compileBaseline({
      id: r.id,
      name: r.name,
      description: r.description,
      spec: r.spec,
    });
    // a baseline saved by an older Minos that no longer validates takes no part rather than failing drift
    if (baseline) out.push(baseline);
  }
  return out;
}
