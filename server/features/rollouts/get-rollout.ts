// One rollout as its page shows it: waves, approvals, the machines of the plan and those it left out
// within the reader's scope (the counts say how many there are in all). Not found when the reader may not see it; the lease
// (which instance drives it) stays inside.
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { visibleRollouts } from "./visible-rollouts";

export async function getRollout({ db, scopes, id }: { db: PrismaClient; scopes: string[]; id: string }) {
  const r = await db.rollout.findFirst({
    where: { id, ...visibleRollouts(scopes) },
    include: {
      waves: { orderBy: { index: "asc" } },
      approvals: { orderBy: { at: "asc" } },
      _count: { select: { machines: true, leftOut: true } },
      leftOut: {
        where: { machine: machineScopeWhere(scopes) },
        orderBy: { machine: { hostname: "asc" } },
        take: 1000,
        select: {
          machineId: true,
          kind: true,
          reason: true,
          machine: { select: { hostname: true, talosVersion: true, cluster: { select: { name: true } } } },
        },
      },
      machines: {
        where: { machine: machineScopeWhere(scopes) },
        orderBy: { position: "asc" },
        include: {
          machine: {
            select: { hostname: true, effectiveSite: true, role: true, cluster: { select: { name: true } } },
          },
        },
      },
    },
  });
  if (!r) throw new AppError("NOT_FOUND", { userMessage: "There is no such rollout." });
  const { leaseOwner: _owner, leaseExpiresAt: _expires, ...rest } = r;
  return rest;
}
