// Listing, adding, changing and removing maintenance windows, by scope. A reader sees the windows
// that touch their sites; an operator edits only windows whose sites all lie within the scope they
// may run rollouts in (so "*" needs a fleet-wide grant, and a cluster-label grant edits none).
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import {
  asSchedulerWindow,
  type MaintenanceWindowInput,
  openingOf,
  sortedDays,
} from "../../model/maintenance-window";
import { siteMatches } from "../../model/window-schedule";
import type { PrismaClient } from "../../platform/db/client";

/** The sites a scope covers: "site:eu/dk/*" covers eu/dk and everything under it, "site:x" only x. */
function scopeCoversSite(scope: string, site: string): boolean {
  const pattern = scope.slice("site:".length);
  if (!pattern.endsWith("/*")) return site === pattern;
  const base = pattern.slice(0, -2);
  return site === base || site.startsWith(`${base}/`);
}

/** The site a window pattern is rooted at ("eu/dk/*" → "eu/dk"; "*" → ""). */
const baseOf = (pattern: string) =>
  pattern === "*" ? "" : pattern.endsWith("/*") ? pattern.slice(0, -2) : pattern;

/** May someone holding these scopes edit a window with this site pattern? */
export function mayEditWindow(scopes: string[], pattern: string): boolean {
  if (scopes.includes("")) return true;
  if (pattern === "*") return false;
  return scopes.some((s) => s.startsWith("site:") && scopeCoversSite(s, baseOf(pattern)));
}

/** Does a window with this pattern touch anything a site scope covers? */
function touchesScope(scope: string, pattern: string): boolean {
  const scopeBase = baseOf(scope.slice("site:".length));
  return siteMatches(pattern, scopeBase) || scopeCoversSite(scope, baseOf(pattern));
}

const windowSelect = {
  id: true,
  site: true,
  timeZone: true,
  days: true,
  start: true,
  durationMinutes: true,
  createdBy: true,
  createdAt: true,
  updatedBy: true,
  updatedAt: true,
} as const;

export async function listMaintenanceWindows(opts: {
  db: PrismaClient;
  readScopes: string[];
  editScopes: string[];
  now?: number;
}) {
  const now = opts.now ?? Date.now();
  const rows = await opts.db.maintenanceWindow.findMany({
    select: windowSelect,
    orderBy: [{ site: "asc" }, { start: "asc" }, { id: "asc" }],
  });
  const visible = await visibleWindows(opts.db, opts.readScopes, rows);
  return visible.map((w) => ({
    ...w,
    days: sortedDays(w.days),
    ...openingOf(asSchedulerWindow(w), now),
    canEdit: mayEditWindow(opts.editScopes, w.site),
  }));
}

/** The windows touching a site these scopes see (all of them with a fleet-wide grant). */
async function visibleWindows<W extends { site: string }>(
  db: PrismaClient,
  scopes: string[],
  windows: W[],
): Promise<W[]> {
  if (scopes.includes("")) return windows;
  const siteScopes = scopes.filter((s) => s.startsWith("site:"));
  // Cluster-label grants have no sites of their own: the sites of the machines they see count.
  const sites = siteScopes.length === scopes.length ? [] : await visibleSites(db, scopes);
  return windows.filter(
    (w) => siteScopes.some((s) => touchesScope(s, w.site)) || sites.some((site) => siteMatches(w.site, site)),
  );
}

async function visibleSites(db: PrismaClient, scopes: string[]): Promise<string[]> {
  const groups = await db.machine.groupBy({
    by: ["effectiveSite"],
    where: { AND: [machineScopeWhere(scopes), { removedAt: null }] },
  });
  return groups.map((g) => g.effectiveSite);
}

function assertMayEdit(scopes: string[], pattern: string): void {
  if (mayEditWindow(scopes, pattern)) return;
  throw new AppError("FORBIDDEN", {
    userMessage:
      pattern === "*"
        ? "A window for every site needs a fleet-wide operator or admin grant. Name a site or a prefix within your scope."
        : `The sites "${pattern}" covers are not all within the scope you may run rollouts in. Name a site or a prefix within it.`,
  });
}

export async function addMaintenanceWindow(opts: {
  db: PrismaClient;
  scopes: string[];
  input: MaintenanceWindowInput;
  by: string;
}): Promise<{ id: string }> {
  assertMayEdit(opts.scopes, opts.input.site);
  return opts.db.maintenanceWindow.create({
    data: { ...opts.input, days: sortedDays(opts.input.days), createdBy: opts.by, updatedBy: opts.by },
    select: { id: true },
  });
}

/** The window, if the editor can see it (else not found, as one that does not exist) and may edit it. */
async function existing(db: PrismaClient, scopes: string[], id: string) {
  const w = await db.maintenanceWindow.findUnique({ where: { id }, select: windowSelect });
  if (!w || (await visibleWindows(db, scopes, [w])).length === 0)
    throw new AppError("NOT_FOUND", { userMessage: "This maintenance window does not exist (any more)." });
  assertMayEdit(scopes, w.site);
  return w;
}

export async function updateMaintenanceWindow(opts: {
  db: PrismaClient;
  scopes: string[];
  id: string;
  input: MaintenanceWindowInput;
  by: string;
}) {
  const before = await existing(opts.db, opts.scopes, opts.id);
  assertMayEdit(opts.scopes, opts.input.site);
  await opts.db.maintenanceWindow.update({
    where: { id: opts.id },
    data: { ...opts.input, days: sortedDays(opts.input.days), updatedBy: opts.by },
  });
  return { before };
}

export async function removeMaintenanceWindow(opts: { db: PrismaClient; scopes: string[]; id: string }) {
  const before = await existing(opts.db, opts.scopes, opts.id);
  await opts.db.maintenanceWindow.delete({ where: { id: opts.id } });
  return { before };
}
