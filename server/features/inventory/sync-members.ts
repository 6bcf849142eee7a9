// Keeps a cluster's machines in step with its membership: new members are added, members that
// left are marked removed (kept for history), members that came back are restored. Each change is
// recorded in the machine's state history.
import type { PrismaClient } from "../../platform/db/client";
import type { DiscoveredMachine } from "./discover-members";

export interface SyncResult {
  added: number;
  removed: number;
  restored: number;
}

export async function syncMembers(
  db: PrismaClient,
  clusterId: string,
  members: DiscoveredMachine[],
): Promise<SyncResult> {
  return db.$transaction(async (tx) => {
    // Every machine of the cluster is locked before anything is written: each write below also updates
    // machine_count (a database trigger), and holding all machine locks before any count lock means a
    // concurrent collector write never waits on us while we wait on it.
    await tx.$queryRaw`SELECT id FROM machine WHERE cluster_id = ${clusterId}::uuid ORDER BY id FOR UPDATE`;
    const current = await tx.machine.findMany({
      where: { clusterId },
      select: { id: true, address: true, hostname: true, removedAt: true },
    });
    const byAddress = new Map(current.map((m) => [m.address, m]));
    const seen = new Set(members.map((m) => m.address));
    const now = new Date();
    let added = 0;
    let restored = 0;
    for (const m of members) {
      const known = byAddress.get(m.address);
      if (!known) {
        const created = await tx.machine.create({
          data: { clusterId, hostname: m.hostname, address: m.address, role: m.role },
        });
        await tx.machineStateChange.create({
          data: { machineId: created.id, at: now, field: "membership", fromValue: "", toValue: "member" },
        });
        added++;
      } else if (known.removedAt) {
        await tx.machine.update({
          where: { id: known.id },
          data: { removedAt: null, hostname: m.hostname, role: m.role },
        });
        await tx.machineStateChange.create({
          data: { machineId: known.id, at: now, field: "membership", fromValue: "left", toValue: "member" },
        });
        restored++;
      } else if (known.hostname !== m.hostname) {
        await tx.machine.update({ where: { id: known.id }, data: { hostname: m.hostname } });
      }
    }
    const gone = current.filter((m) => !m.removedAt && !seen.has(m.address));
    if (gone.length > 0) {
      await tx.machine.updateMany({ where: { id: { in: gone.map((g) => g.id) } }, data: { removedAt: now } });
      await tx.machineStateChange.createMany({
        data: gone.map((g) => ({
          machineId: g.id,
          at: now,
          field: "membership",
          fromValue: "member",
          toValue: "left",
          reason: "no longer listed in the cluster's members",
        })),
      });
    }
    await tx.cluster.update({ where: { id: clusterId }, data: { discoveredAt: now, discoveryError: null } });
    return { added, removed: gone.length, restored };
  });
}
