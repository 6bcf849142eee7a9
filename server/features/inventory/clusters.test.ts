import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { Principal } from "../../model/principal";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { danishViewer, everyone, seedViewsFleet } from "../../testing/views-fleet";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedViewsFleet(database.db);
});
afterAll(() => database.drop());

const as = (p: Principal) => createCaller(createContextInner({ db: database.db, principal: p }));

describe("clusters.list", () => {
  it("lists clusters with machines counted by health, versions, site and labels", async () => {
    const res = await as(everyone()).clusters.list({});
    expect(res.total).toBe(3);
    expect(res.rows.map((r) => r.name)).toEqual(["aarhus", "lund", "malmo"]);
    expect(res.rows[0]).toMatchObject({
      site: "eu/dk/aarhus-0042",
      labels: { group: "nordics", tier: "flagship" },
      machines: 3,
      controlPlanes: 1,
      counts: { healthy: 2, unhealthy: 1 },
      talosVersions: ["v1.10.7", "v1.11.5"],
    });
  });

  it("shows a Danish viewer only Danish clusters, and counts only machines in scope", async () => {
    const res = await as(danishViewer()).clusters.list({});
    expect(res.total).toBe(1);
    expect(res.rows.map((r) => r.name)).toEqual(["aarhus"]);
    expect((await as(danishViewer()).clusters.list({ q: "malmo" })).total).toBe(0);
  });

  it("filters by name, health and site, and sorts", async () => {
    const all = everyone();
    expect((await as(all).clusters.list({ q: "MAL" })).rows.map((r) => r.name)).toEqual(["malmo"]);
    expect((await as(all).clusters.list({ health: ["unhealthy"] })).rows.map((r) => r.name)).toEqual([
      "malmo",
    ]);
    expect((await as(all).clusters.list({ site: "eu/se" })).rows.map((r) => r.name)).toEqual([
      "lund",
      "malmo",
    ]);
    expect((await as(all).clusters.list({ sort: "site" })).rows.map((r) => r.name)).toEqual([
      "aarhus",
      "lund",
      "malmo",
    ]);
    expect((await as(all).clusters.list({ pageSize: 1, page: 2 })).rows.map((r) => r.name)).toEqual(["lund"]);
  });
});

describe("clusters.byName", () => {
  it("shows machines, etcd members, versions and recent changes of a cluster in scope", async () => {
    const w1 = await database.db.machine.findFirstOrThrow({ where: { hostname: "aarhus-w-1" } });
    await database.db.machineStateChange.create({
      data: {
        machineId: w1.id,
        field: "health",
        fromValue: "healthy",
        toValue: "unhealthy",
        reason: "kubelet failed",
      },
    });
    const c = await as(danishViewer()).clusters.byName({ name: "aarhus" });
    expect(c.machines.map((m) => m.hostname)).toEqual(["aarhus-cp-1", "aarhus-w-1", "aarhus-w-2"]);
    expect(c.etcd).toMatchObject({
      healthy: 1,
      quorum: true,
      members: [{ hostname: "aarhus-cp-1", state: "Running" }],
    });
    expect(c.talosVersions).toEqual(["v1.10.7", "v1.11.5"]);
    expect(c.changes).toMatchObject([{ machine: { hostname: "aarhus-w-1" }, toValue: "unhealthy" }]);
  });

  it("hides a cluster out of scope, and the out-of-scope machines of a cluster in scope", async () => {
    await expect(as(danishViewer()).clusters.byName({ name: "malmo" })).rejects.toThrow(
      "This cluster does not exist or is outside your scope.",
    );
    const swedishViewer = { ...everyone(), grants: [{ role: "viewer" as const, scope: "site:eu/se/*" }] };
    const lund = await as(swedishViewer).clusters.byName({ name: "lund" });
    expect(lund.machines.map((m) => m.hostname)).toEqual(["lund-cp-1"]);
  });
});
