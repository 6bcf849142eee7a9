// Reads the audit trail, newest first, filtered by actor, action, target and time, one page at a
// time (keyset pagination on the id).
import type { PrismaClient } from "../../platform/db/client";
import { likeText } from "../../platform/db/like-text";

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  /** Entries older than this id (the last id of the previous page). */
  before?: bigint;
  limit: number;
}

export async function listAudit(db: PrismaClient, f: AuditFilter) {
  const rows = await db.auditEntry.findMany({
    where: {
      ...(f.actor ? { actor: { contains: likeText(f.actor), mode: "insensitive" } } : {}),
      ...(f.action ? { action: { startsWith: likeText(f.action) } } : {}),
      ...(f.target ? { target: { contains: likeText(f.target), mode: "insensitive" } } : {}),
      ...(f.from || f.to
        ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } }
        : {}),
      ...(f.before ? { id: { lt: f.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: f.limit,
    select: {
      id: true,
      at: true,
      actor: true,
      action: true,
      target: true,
      address: true,
      result: true,
      details: true,
    },
  });
  const names = await targetNames(
    db,
    rows.map((r) => r.target ?? ""),
  );
  return rows.map((r) => ({ ...r, id: r.id.toString(), targetView: targetView(r.target, names) }));
}

/** How a target reads on the page: a name where the id has one, and where it links to. */
export interface TargetView {
  label: string;
  href?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Names of the rollouts and machines the targets name by id (one query per kind, for the whole page). */
async function targetNames(db: PrismaClient, targets: string[]): Promise<Map<string, string>> {
  const ids = (prefix: string) =>
    [...new Set(targets.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length)))].filter(
      (id) => UUID.test(id),
    );
  const [rollouts, machines] = await Promise.all([
    db.rollout.findMany({ where: { id: { in: ids("rollout:") } }, select: { id: true, name: true } }),
    db.machine.findMany({ where: { id: { in: ids("machine:") } }, select: { id: true, hostname: true } }),
  ]);
  return new Map([
    ...rollouts.map((r) => [`rollout:${r.id}`, r.name] as const),
    ...machines.map((m) => [`machine:${m.id}`, m.hostname] as const),
  ]);
}

function targetView(target: string | null, names: ReadonlyMap<string, string>): TargetView | null {
  if (!target) return null;
  const colon = target.indexOf(":");
  const kind = colon < 0 ? "" : target.slice(0, colon);
  const rest = colon < 0 ? target : target.slice(colon + 1);
  const named = names.get(target);
  switch (kind) {
    case "rollout":
      return { label: `rollout “${named ?? rest}”`, ...(named ? { href: `/rollouts/${rest}` } : {}) };
    case "machine":
      return { label: `machine ${named ?? rest}`, ...(named ? { href: `/machines/${rest}` } : {}) };
    case "machines":
      return { label: `${rest} machines` };
    case "cluster":
      return { label: `cluster ${rest}`, href: `/clusters/${encodeURIComponent(rest)}` };
    case "user":
      return { label: `user ${rest}` };
    case "credential":
    case "credentials":
      return { label: `Talos credential${kind === "credentials" ? "s" : ""} ${rest}` };
    case "baseline":
      return { label: `baseline ${rest}`, href: "/drift/baselines" };
    case "maintenance-window":
      return { label: "a maintenance window", href: "/rollouts/maintenance-windows" };
    case "token":
      return { label: `API token ${rest}` };
    default:
      return { label: target };
  }
}
