// Which rollouts a principal sees under a permission's scopes (those touching at least one machine in
// them), and which it may act on (those entirely within them); all of them with a fleet-wide grant.
import { machineScopeWhere } from "../../access/auth/scope-filter";
import type { Prisma } from "../../platform/db/generated/client";

export function visibleRollouts(scopes: string[]): Prisma.RolloutWhereInput {
  return scopes.includes("") ? {} : { machines: { some: { machine: machineScopeWhere(scopes) } } };
}

/**
 * The rollouts a principal may act on under a permission's scopes (change, decide, pause, resume, abort,
 * retry, skip): those whose every planned machine is within them. One machine outside, and the rollout is
 * not the principal's to act on: answered as not found, as for a rollout it cannot read.
 */
export function rolloutsWithinScope(scopes: string[]): Prisma.RolloutWhereInput {
  return scopes.includes("") ? {} : { machines: { every: { machine: machineScopeWhere(scopes) } } };
}
