// Which rollouts a principal sees under a permission's scopes: those touching at least one machine in
// them (all of them with a fleet-wide grant).
import { machineScopeWhere } from "../auth/scope-filter";
import type { Prisma } from "../db/generated/client";

export function visibleRollouts(scopes: string[]): Prisma.RolloutWhereInput {
  return scopes.includes("") ? {} : { machines: { some: { machine: machineScopeWhere(scopes) } } };
}
