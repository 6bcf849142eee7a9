// Which baselines a reader sees: fleet-wide ones, and those that apply to at least one machine within the
// reader's scope. A baseline attached to another site, a cluster or a selector the reader cannot see is
// not listed or exported to them: out-of-scope things are never named (a baseline is named after them).
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { parseSelector } from "../../model/selector";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import { likeText } from "../../platform/db/like-text";
import { selectorWhere } from "../../platform/db/selector-where";
import type { BaselineSpec } from "./baseline";

/** The machines a baseline attaches to, as a condition; undefined for a fleet-wide one. */
function attachedWhere(spec: BaselineSpec): Prisma.MachineWhereInput | undefined {
  const a = spec.attach;
  switch (a.level) {
    case "fleet":
      return undefined;
    case "site":
      return { OR: [{ effectiveSite: a.site }, { effectiveSite: { startsWith: `${likeText(a.site)}/` } }] };
    case "cluster":
      return { cluster: { name: a.cluster } };
    case "selector":
      try {
        return selectorWhere(parseSelector(a.selector));
      } catch {
        return { id: { in: [] } }; // a selector that no longer parses applies to nothing
      }
  }
}

/** The rows (with their spec) the reader under these scopes may see. */
export async function visibleBaselines<B extends { spec: unknown }>(
  db: PrismaClient,
  scopes: string[],
  rows: B[],
): Promise<B[]> {
  if (scopes.includes("")) return rows;
  const seen = await Promise.all(
    rows.map(async (row) => {
      const attached = attachedWhere(row.spec as BaselineSpec);
      if (!attached) return true;
      const hit = await db.machine.findFirst({
        where: { AND: [machineScopeWhere(scopes), { removedAt: null }, attached] },
        select: { id: true },
      });
      return hit !== null;
    }),
  );
  return rows.filter((_, i) => seen[i]);
}
