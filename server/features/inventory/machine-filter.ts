// The machines list's filters as one database condition: structured filters become selector terms
// (so "site" and "health" mean exactly what they mean in a selector), the typed selector is parsed
// with its own messages, free text matches hostname or address, and the drift filters (status, kind,
// outlier group) mean what the drift overview counts.
import { z } from "zod";
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { parseSelector, type Selector } from "../../model/selector";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import { likeText } from "../../platform/db/like-text";
import { selectorWhere } from "../../platform/db/selector-where";
import { driftFilterFields, driftStatusWhere, outlierWhere } from "../drift/drift-filter";
import { HEALTH_STATES } from "../health";

export const machineFilterSchema = z.object({
  health: z.array(z.enum(HEALTH_STATES)).max(6).optional(),
  cluster: z.string().trim().max(253).optional(),
  /** A site path; "eu/dk/*" (or "eu/dk") includes everything under it. */
  site: z.string().trim().max(253).optional(),
  role: z.enum(["controlplane", "worker"]).optional(),
  /** Talos version; a trailing * matches by prefix. */
  version: z.string().trim().max(64).optional(),
  kubernetes: z.string().trim().max(64).optional(),
  /** The machine's Kubernetes Node: cordoned (by anyone), or not Ready. */
  node: z.enum(["cordoned", "not-ready"]).optional(),
  selector: z.string().max(2_000).optional(),
  q: z.string().trim().max(200).optional(),
  ...driftFilterFields,
});
export type MachineFilter = z.infer<typeof machineFilterSchema>;

function siteValues(site: string): string[] {
  if (site.endsWith("/*")) return [site.slice(0, -2), `${site.slice(0, -1)}*`];
  return [site, `${site}/*`];
}

/** The condition for a filter but its outlier group (without scope: callers AND it with the caller's scope). */
export function machineFilterWhere(f: MachineFilter, now = new Date()): Prisma.MachineWhereInput {
  const terms: Selector = [];
  const match = (key: string, values: string[]) => terms.push({ kind: "match", key, values, negated: false });
  if (f.health?.length) match("health", f.health);
  if (f.cluster) match("cluster", [f.cluster]);
  if (f.site) match("site", siteValues(f.site));
  if (f.role) match("role", [f.role]);
  if (f.version) match("version", [f.version]);
  if (f.kubernetes) match("kubernetes", [f.kubernetes]);
  const and: Prisma.MachineWhereInput[] = [{ removedAt: null }, selectorWhere(terms)];
  if (f.selector?.trim()) and.push(selectorWhere(parseSelector(f.selector)));
  if (f.node === "cordoned") and.push({ kubeCordon: { not: "" } });
  if (f.node === "not-ready") and.push({ kubeReady: false });
  if (f.q) {
    and.push({
      OR: [
        { hostname: { contains: likeText(f.q), mode: "insensitive" } },
        { address: { startsWith: likeText(f.q) } },
      ],
    });
  }
  and.push(driftStatusWhere(f, now));
  return { AND: and };
}

/**
 * The whole condition of a filter within the caller's scope, the outlier group resolved as that caller sees it
 * (`outlier`: the group's summary, null when it no longer exists; absent when not filtered by one).
 */
export async function machineFilterCondition(opts: {
  db: PrismaClient;
  scopes: string[];
  filter: MachineFilter;
  now?: Date;
}): Promise<{ where: Prisma.MachineWhereInput; outlier?: { summary: string | null } }> {
  const and: Prisma.MachineWhereInput[] = [
    machineScopeWhere(opts.scopes),
    machineFilterWhere(opts.filter, opts.now),
  ];
  if (!opts.filter.outlier) return { where: { AND: and } };
  const group = await outlierWhere({ db: opts.db, scopes: opts.scopes, key: opts.filter.outlier });
  return { where: { AND: [...and, group.where] }, outlier: { summary: group.summary } };
}
