// Sites and the fleet: clusters rolled up into counts and one state, worst first.

import { type Health, listSome, SEVERITY } from "../../model/health-words";
import { emptyCounts } from "./cluster-health";

export interface RollupItem {
  name: string;
  health: Health;
}

export interface RollupVerdict {
  health: Health;
  reason: string;
  counts: Record<Health, number>;
  total: number;
}

/**
 * The state of a group of clusters (a site, the fleet): its worst cluster's, so one cluster down is never
 * hidden by many healthy ones; the reason counts and names the clusters that need attention.
 */
export function rollupHealth(items: readonly RollupItem[], noun = "clusters"): RollupVerdict {
  const counts = emptyCounts();
  for (const i of items) counts[i.health]++;
  const total = items.length;
  if (total === 0) return { health: "unknown", reason: `no ${noun}`, counts, total };
  const attention = [...items]
    .filter((i) => i.health !== "healthy")
    .sort((a, b) => SEVERITY[b.health] - SEVERITY[a.health] || a.name.localeCompare(b.name));
  const first = attention[0];
  if (!first) return { health: "healthy", reason: `all ${total} ${noun} healthy`, counts, total };
  if (counts.unknown === total) return { health: "unknown", reason: `no state collected yet`, counts, total };
  const byState = (Object.keys(counts) as Health[])
    .filter((h) => h !== "healthy" && counts[h] > 0)
    .sort((a, b) => SEVERITY[b] - SEVERITY[a])
    .map((h) => `${counts[h]} ${h}`)
    .join(", ");
  return {
    health: first.health,
    reason: `${byState} of ${total} ${noun}: ${listSome(attention.map((i) => i.name))}`,
    counts,
    total,
  };
}

/** Groups clusters by every prefix of their site path (eu, eu/dk, eu/dk/aarhus-0042) and rolls each up. */
export function rollupBySite(
  clusters: ReadonlyArray<RollupItem & { site: string }>,
): Map<string, RollupVerdict> {
  const groups = new Map<string, RollupItem[]>();
  for (const c of clusters) {
    const parts = c.site.split("/").filter(Boolean);
    const prefixes = parts.length === 0 ? [""] : parts.map((_, i) => parts.slice(0, i + 1).join("/"));
    for (const p of prefixes) {
      const list = groups.get(p) ?? [];
      list.push(c);
      groups.set(p, list);
    }
  }
  return new Map([...groups].map(([site, items]) => [site, rollupHealth(items)]));
}
