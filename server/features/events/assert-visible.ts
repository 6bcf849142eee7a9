// Whether the machine or cluster whose events someone asks for is there for them: not found otherwise,
// exactly as one that does not exist (the search's machine id and the live follow).
import { clusterScopeWhere, machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";

/** Throws not found unless the machine or cluster exists within the viewer's scope. */
export async function assertVisible({
  db,
  scopes,
  ...input
}: {
  db: PrismaClient;
  scopes: string[];
  machineId?: string | undefined;
  cluster?: string | undefined;
}): Promise<void> {
  if (input.machineId) {
    const m = await db.machine.findFirst({
      where: { AND: [machineScopeWhere(scopes), { id: input.machineId }] },
      select: { id: true },
    });
    if (!m) throw new AppError("NOT_FOUND", { userMessage: "No such machine, or it is outside your scope." });
    return;
  }
  const c = await db.cluster.findFirst({
    where: {
      name: input.cluster,
      OR: [clusterScopeWhere(scopes), { machines: { some: machineScopeWhere(scopes) } }],
    },
    select: { id: true },
  });
  if (!c) throw new AppError("NOT_FOUND", { userMessage: "No such cluster, or it is outside your scope." });
}
