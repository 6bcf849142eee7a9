// Editing where a cluster or machine is (site) and what it carries (labels). The caller must be
// allowed to operate on it, and stays so afterwards: an edit that would move it out of the
// caller's scope is refused and nothing changes.
import { clusterScopeWhere, machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { Prisma } from "../../platform/db/generated/client";
import type { Labels } from "./placement";

const outOfScope = () =>
  new AppError("FORBIDDEN", {
    userMessage: "This change would move it outside your scope, so it was not made. Ask an administrator.",
  });

export async function editClusterPlacement({
  db,
  scopes,
  name,
  labels,
  site,
}: {
  db: PrismaClient;
  scopes: string[];
  name: string;
  labels?: Labels;
  site?: string;
}): Promise<{ name: string; site: string; labels: Labels }> {
  return db.$transaction(async (tx) => {
    const inScope = { AND: [clusterScopeWhere(scopes), { name, removedAt: null }] };
    const found = await tx.cluster.findFirst({ where: inScope, select: { id: true } });
    if (!found) {
      throw new AppError("NOT_FOUND", {
        userMessage: "This cluster does not exist or is outside your scope.",
      });
    }
    const updated = await tx.cluster.update({
      where: { id: found.id },
      data: { ...(labels ? { labels } : {}), ...(site !== undefined ? { site } : {}) },
      select: { name: true, site: true, labels: true },
    });
    if ((await tx.cluster.count({ where: inScope })) !== 1) throw outOfScope();
    return { ...updated, labels: updated.labels as Labels };
  });
}

/**
 * Sets labels and removes label keys on each machine (other labels stay), and sets or clears its
 * own site (null: inherit the cluster's; undefined: leave as is). All or nothing.
 */
export async function editMachinesPlacement({
  db,
  scopes,
  ids,
  setLabels = {},
  removeLabels = [],
  replaceLabels,
  site,
}: {
  db: PrismaClient;
  scopes: string[];
  ids: string[];
  setLabels?: Labels;
  removeLabels?: string[];
  /** Replace the machine's own labels entirely (single-machine edit). */
  replaceLabels?: Labels;
  site?: string | null;
}): Promise<{ updated: number }> {
  const unique = [...new Set(ids)];
  return db.$transaction(async (tx) => {
    const inScope = { AND: [machineScopeWhere(scopes), { id: { in: unique } }] };
    const visible = await tx.machine.count({ where: inScope });
    if (visible !== unique.length) {
      throw new AppError("NOT_FOUND", {
        userMessage:
          unique.length === 1
            ? "This machine does not exist or is outside your scope."
            : `${unique.length - visible} of the ${unique.length} selected machines do not exist or are outside your scope; nothing was changed.`,
      });
    }
    const labelsExpr = replaceLabels
      ? Prisma.sql`${JSON.stringify(replaceLabels)}::jsonb`
      : Prisma.sql`(labels || ${JSON.stringify(setLabels)}::jsonb) - ${removeLabels}::text[]`;
    const siteExpr = site === undefined ? Prisma.sql`site` : Prisma.sql`${site}::text`;
    await tx.$executeRaw`UPDATE machine SET labels = ${labelsExpr}, site = ${siteExpr}, updated_at = now()
      WHERE id = ANY(${unique}::uuid[])`;
    if ((await tx.machine.count({ where: inScope })) !== unique.length) throw outOfScope();
    return { updated: unique.length };
  });
}
