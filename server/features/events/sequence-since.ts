// The first sequence of given names (upgrade, reboot, …) in a machine's stored events since a moment:
// how the rollout reconciler tells whether an upgrade it did not see answered reached the machine.
import type { PrismaClient } from "../../platform/db/client";

/** Null when there is none, else its actor id ("" when the event carried none). */
export async function sequenceSince(
  db: PrismaClient,
  machineId: string,
  since: Date,
  names: readonly string[],
): Promise<{ actorId: string } | null> {
  // Event times come from Talos event ids, to the second.
  const from = new Date(Math.floor(since.getTime() / 1000) * 1000 - 1000);
  return db.machineEvent.findFirst({
    where: {
      machineId,
      kind: "sequence",
      at: { gte: from },
      OR: names.map((name) => ({ payload: { path: ["sequence"], equals: name } })),
    },
    orderBy: { at: "asc" },
    select: { actorId: true },
  });
}
