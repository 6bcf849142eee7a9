// The rollouts list: every rollout the reader may see (rollouts touching their scope), newest first,
// with its waves and machine count; archived ones only when asked for.
import type { PrismaClient } from "../../platform/db/client";
import { visibleRollouts } from "./visible-rollouts";

export function listRollouts({
  db,
  scopes,
  showArchived,
}: {
  db: PrismaClient;
  scopes: string[];
  showArchived: boolean;
}) {
  return db.rollout.findMany({
    where: { ...visibleRollouts(scopes), ...(showArchived ? {} : { archivedAt: null }) },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: {
      id: true,
      name: true,
      targetVersion: true,
      status: true,
      statusReason: true,
      currentWave: true,
      createdBy: true,
      createdAt: true,
      archivedAt: true,
      archivedBy: true,
      waves: { orderBy: { index: "asc" }, select: { index: true, name: true, status: true } },
      _count: { select: { machines: true } },
    },
  });
}
