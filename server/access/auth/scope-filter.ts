// Turns the scopes a principal holds a permission under into database filters, so every list,
// count and lookup only ever sees what is in scope. A machine's site is its own override, else
// its cluster's.
import type { Prisma } from "../../platform/db/generated/client";
import { likeText } from "../../platform/db/like-text";

function siteCondition(pattern: string): Prisma.StringFilter | string {
  if (pattern.endsWith("/*")) return { startsWith: `${likeText(pattern.slice(0, -2))}/` };
  return pattern;
}

function clusterCondition(scope: string): Prisma.ClusterWhereInput {
  if (scope.startsWith("site:")) {
    const pattern = scope.slice(5);
    if (pattern.endsWith("/*")) {
      const base = pattern.slice(0, -2);
      return { OR: [{ site: base }, { site: siteCondition(pattern) }] };
    }
    return { site: pattern };
  }
  const terms = scope
    .slice(8)
    .split(",")
    .map((t) => t.split("=") as [string, string]);
  return { AND: terms.map(([k, v]) => ({ labels: { path: [k], equals: v } })) };
}

/** Clusters visible under these scopes ("" = everything). */
export function clusterScopeWhere(scopes: string[]): Prisma.ClusterWhereInput {
  if (scopes.includes("")) return {};
  if (scopes.length === 0) return { id: { in: [] } };
  return { OR: scopes.map(clusterCondition) };
}

/** Machines visible under these scopes: by the site that applies to the machine (its own override,
 * else its cluster's — the effective site the database keeps), or by its cluster's labels. */
export function machineScopeWhere(scopes: string[]): Prisma.MachineWhereInput {
  if (scopes.includes("")) return {};
  if (scopes.length === 0) return { id: { in: [] } };
  return {
    OR: scopes.map((scope): Prisma.MachineWhereInput => {
      if (!scope.startsWith("site:")) return { cluster: clusterCondition(scope) };
      const pattern = scope.slice(5);
      return pattern.endsWith("/*")
        ? { OR: [{ effectiveSite: pattern.slice(0, -2) }, { effectiveSite: siteCondition(pattern) }] }
        : { effectiveSite: pattern };
    }),
  };
}
