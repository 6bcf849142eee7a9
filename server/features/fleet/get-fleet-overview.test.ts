import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { Principal } from "../../model/principal";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { danishViewer, everyone, seedViewsFleet } from "../../testing/views-fleet";

let database: TestDatabase;
let ids: Map<string, string>;
beforeAll(async () => {
  database = await createTestDatabase();
  ids = await seedViewsFleet(database.db);
});
afterAll(() => database.drop());

const as = (p: Principal) => createCaller(createContextInner({ db: database.db, principal: p }));

describe("fleet.overview", () => {
  it("counts by health, lists machines needing attention longest first, and versions", async () => {
    const o = await as(everyone()).fleet.overview();
    expect(o.machines).toMatchObject({
      total: 7,
      counts: { healthy: 4, unhealthy: 1, unreachable: 1, degraded: 1 },
    });
    expect(o.clusters).toMatchObject({ total: 3, counts: { healthy: 1, degraded: 1, unhealthy: 1 } });
    expect(o.attention.total).toBe(3);
    expect(o.attention.rows.map((r) => [r.hostname, r.healthReason])).toEqual([
      ["malmo-secret-w-1", "Talos on 10.0.1.2 refused the connection"],
      ["aarhus-w-1", "kubelet failed"],
      ["lund-borrowed-w-1", "booting"],
    ]);
    expect(o.talosVersions).toEqual([
      { version: "v1.11.5", machines: 4 },
      { version: "v1.12.0", machines: 2 },
      { version: "v1.10.7", machines: 1 },
    ]);
    expect(o.worstClusters.map((c) => c.name)).toEqual(["malmo", "aarhus"]);
    expect(o.sites.find((s) => s.site === "eu")).toMatchObject({ total: 7, depth: 1 });
    expect(o.sites.find((s) => s.site === "eu/dk")).toMatchObject({ total: 4, depth: 2 });
    expect(o.sitesNeedingAttention.map((s) => s.site)).toEqual([
      "eu/dk/aarhus-0042",
      "eu/se/malmo-0007",
      "eu/dk/borrowed-0001",
    ]);
  });

  it("gives a Danish viewer only Danish counts, names and sites", async () => {
    const o = await as(danishViewer()).fleet.overview();
    expect(o.machines.total).toBe(4);
    expect(o.clusters.total).toBe(1);
    const text = JSON.stringify(o);
    expect(text).not.toContain("malmo");
    expect(text).not.toContain("eu/se");
    expect(text).not.toContain("v1.12.0");
    expect(o.attention.rows.map((r) => r.hostname)).toEqual(["aarhus-w-1", "lund-borrowed-w-1"]);
  });
});

describe("fleet.history", () => {
  it("rebuilds health counts over time from the recorded changes, within scope", async () => {
    const now = Date.now();
    await database.db.machineStateChange.createMany({
      data: [
        {
          machineId: ids.get("aarhus/aarhus-w-1") ?? "",
          at: new Date(now - 5 * 3600_000),
          field: "health",
          fromValue: "healthy",
          toValue: "unhealthy",
        },
        {
          machineId: ids.get("malmo/malmo-secret-w-1") ?? "",
          at: new Date(now - 9 * 3600_000),
          field: "health",
          fromValue: "healthy",
          toValue: "unreachable",
        },
      ],
    });
    const h = await as(everyone()).fleet.history({ range: "24h" });
    expect(h.points).toHaveLength(25);
    const at = (hoursAgo: number) => h.points[24 - hoursAgo]?.counts;
    expect(at(0)).toMatchObject({ healthy: 4, unhealthy: 1, unreachable: 1 });
    expect(at(6)).toMatchObject({ healthy: 5, unhealthy: 0, unreachable: 1 });
    expect(at(10)).toMatchObject({ healthy: 6, unhealthy: 0, unreachable: 0 });
    const dk = await as(danishViewer()).fleet.history({ range: "7d" });
    expect(dk.points.at(-1)?.counts).toMatchObject({ healthy: 2, unhealthy: 1, unreachable: 0 });
    expect(dk.points[0]?.counts).toMatchObject({ healthy: 3, unreachable: 0 });
  });
});
