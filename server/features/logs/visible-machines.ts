// The machines of a log view, looked up within the viewer's scope: a machine outside it is reported
// exactly like one that does not exist.
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";

export interface VisibleMachine {
  id: string;
  hostname: string;
  address: string;
  cluster: string;
}

/** The machines in the order asked for; throws not found when any is missing or out of scope. */
export async function visibleMachines({
  db,
  scopes,
  ids,
}: {
  db: PrismaClient;
  scopes: string[];
  ids: readonly string[];
}): Promise<VisibleMachine[]> {
  const rows = await db.machine.findMany({
    where: { AND: [machineScopeWhere(scopes), { id: { in: [...ids] } }] },
    select: { id: true, hostname: true, address: true, cluster: { select: { name: true } } },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new AppError("NOT_FOUND", {
      userMessage:
        missing.length === 1
          ? "No such machine, or it is outside your scope."
          : `${missing.length} of these machines do not exist or are outside your scope.`,
    });
  }
  return ids.map((id) => {
    const r = byId.get(id) as (typeof rows)[number];
    return { id: r.id, hostname: r.hostname, address: r.address, cluster: r.cluster.name };
  });
}
