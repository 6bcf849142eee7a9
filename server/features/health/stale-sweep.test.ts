import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { seedInventory } from "../../testing/seed-inventory";
import { NOT_COLLECTED, sweepStaleHealth } from "./stale-sweep";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe("sweepStaleHealth", () => {
  it("turns machines nobody collects to unknown, with history, and leaves collected ones alone", async () => {
    const db = database.db;
    const ids = await seedInventory(db, [
      {
        name: "orphan",
        site: "eu/dk/orphan-0001",
        health: "healthy",
        machines: [
          { hostname: "orphan-cp-1" },
          { hostname: "orphan-w-1", health: "unreachable", healthReason: "refused" },
          { hostname: "orphan-w-2" },
        ],
      },
      { name: "held", site: "eu/dk/held-0001", health: "healthy", machines: [{ hostname: "held-cp-1" }] },
    ]);
    const id = (k: string) => ids.get(k) ?? "";
    // Everything was last seen ten minutes ago, except orphan-w-2 which was just seen.
    await db.machine.updateMany({ data: { lastSeenAt: minutesAgo(10), healthSince: minutesAgo(10) } });
    await db.cluster.updateMany({ data: { healthSince: minutesAgo(10) } });
    await db.machine.update({ where: { id: id("orphan/orphan-w-2") }, data: { lastSeenAt: new Date() } });
    // Another instance holds "held".
    const instance = await db.collectorInstance.create({
      data: { id: crypto.randomUUID(), hostname: "other" },
    });
    const held = await db.cluster.findUniqueOrThrow({ where: { name: "held" } });
    await db.clusterLease.create({
      data: { clusterId: held.id, instanceId: instance.id, expiresAt: new Date(Date.now() + 60_000) },
    });

    expect(await sweepStaleHealth(db, 5 * 60_000)).toEqual({ machines: 1, clusters: 0 });
    const health = async (k: string) =>
      db.machine.findUniqueOrThrow({ where: { id: id(k) }, select: { health: true, healthReason: true } });
    expect(await health("orphan/orphan-cp-1")).toEqual({ health: "unknown", healthReason: NOT_COLLECTED });
    expect((await health("orphan/orphan-w-1")).health).toBe("unreachable");
    expect((await health("orphan/orphan-w-2")).health).toBe("healthy");
    expect((await health("held/held-cp-1")).health).toBe("healthy");
    const history = await db.machineStateChange.findMany({ where: { machineId: id("orphan/orphan-cp-1") } });
    expect(history).toMatchObject([{ field: "health", fromValue: "healthy", toValue: "unknown" }]);

    // Once no machine of the orphaned cluster is fresh, the cluster itself turns unknown too.
    await db.machine.update({ where: { id: id("orphan/orphan-w-2") }, data: { lastSeenAt: minutesAgo(10) } });
    expect(await sweepStaleHealth(db, 5 * 60_000)).toEqual({ machines: 1, clusters: 1 });
    const orphan = await db.cluster.findUniqueOrThrow({ where: { name: "orphan" } });
    expect(orphan.health).toBe("unknown");
    expect((await db.cluster.findUniqueOrThrow({ where: { name: "held" } })).health).toBe("healthy");
    // A second sweep finds nothing more to do.
    expect(await sweepStaleHealth(db, 5 * 60_000)).toEqual({ machines: 0, clusters: 0 });
  });
});
