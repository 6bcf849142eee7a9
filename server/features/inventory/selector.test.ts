import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSelector } from "../../model/selector";
import { selectorWhere } from "../../platform/db/selector-where";
import { createTestDatabase, type TestDatabase } from "../../testing/database";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const dk = await db.cluster.create({
    data: {
      name: "dk-aarhus-0042",
      site: "eu/dk/aarhus-0042",
      endpoints: [],
      labels: { tier: "edge", canary: "yes" },
    },
  });
  const se = await db.cluster.create({
    data: { name: "se-malmo-0007", site: "eu/se/malmo-0007", endpoints: [], labels: { tier: "core" } },
  });
  await db.machine.createMany({
    data: [
      {
        clusterId: dk.id,
        hostname: "dk-cp-1",
        address: "127.5.0.1",
        role: "controlplane",
        talosVersion: "v1.13.9",
        health: "healthy",
      },
      {
        clusterId: dk.id,
        hostname: "dk-w-1",
        address: "127.5.0.2",
        role: "worker",
        talosVersion: "v1.12.11",
        health: "unhealthy",
        labels: { gpu: "a100" },
      },
      // Overrides its cluster's tier label and its site.
      {
        clusterId: dk.id,
        hostname: "dk-w-2",
        address: "127.5.0.3",
        role: "worker",
        talosVersion: "v1.13.9",
        health: "healthy",
        labels: { tier: "lab" },
        site: "eu/dk/lab-1",
      },
      {
        clusterId: se.id,
        hostname: "se-cp-1",
        address: "127.6.0.1",
        role: "controlplane",
        talosVersion: "v1.14.0",
        health: "degraded",
      },
      {
        clusterId: se.id,
        hostname: "se-w-1",
        address: "127.6.0.2",
        role: "worker",
        talosVersion: "v1.13.9",
        health: "healthy",
        labels: { canary: "no" },
      },
    ],
  });
});
afterAll(() => database.drop());

async function hosts(selector: string): Promise<string[]> {
  const rows = await database.db.machine.findMany({
    where: selectorWhere(parseSelector(selector)),
    select: { hostname: true },
    orderBy: { hostname: "asc" },
  });
  return rows.map((r) => r.hostname);
}

describe("label selectors", () => {
  it("select by fields: role, site prefix (with machine overrides), cluster, health, version prefix", async () => {
    expect(await hosts("role=worker")).toEqual(["dk-w-1", "dk-w-2", "se-w-1"]);
    expect(await hosts("site in (eu/dk/*)")).toEqual(["dk-cp-1", "dk-w-1", "dk-w-2"]);
    expect(await hosts("site=eu/dk/aarhus-0042")).toEqual(["dk-cp-1", "dk-w-1"]);
    expect(await hosts("cluster=se-*")).toEqual(["se-cp-1", "se-w-1"]);
    expect(await hosts("health notin (healthy)")).toEqual(["dk-w-1", "se-cp-1"]);
    expect(await hosts("version=v1.13.*,role=worker")).toEqual(["dk-w-2", "se-w-1"]);
  });

  it("select by labels a machine carries or inherits from its cluster, the machine's own value winning", async () => {
    expect(await hosts("tier=edge")).toEqual(["dk-cp-1", "dk-w-1"]);
    expect(await hosts("tier=lab")).toEqual(["dk-w-2"]);
    expect(await hosts("gpu")).toEqual(["dk-w-1"]);
    expect(await hosts("!canary")).toEqual(["se-cp-1"]);
    expect(await hosts("canary=yes")).toEqual(["dk-cp-1", "dk-w-1", "dk-w-2"]);
    expect(await hosts("tier!=edge")).toEqual(["dk-w-2", "se-cp-1", "se-w-1"]);
  });

  it("combine terms as in the issue's example", async () => {
    expect(await hosts("role=worker,site in (eu/dk/*),!gpu")).toEqual(["dk-w-2"]);
    expect(await hosts("")).toHaveLength(5);
  });

  it("follow a cluster's site and labels when they change, overrides still winning", async () => {
    const { db } = database;
    await db.cluster.update({
      where: { name: "se-malmo-0007" },
      data: { site: "eu/dk/malmo-moved", labels: { tier: "edge" } },
    });
    expect(await hosts("site in (eu/dk/*)")).toEqual(["dk-cp-1", "dk-w-1", "dk-w-2", "se-cp-1", "se-w-1"]);
    expect(await hosts("tier=edge")).toEqual(["dk-cp-1", "dk-w-1", "se-cp-1", "se-w-1"]);
    await db.machine.updateMany({
      where: { hostname: "se-w-1" },
      data: { site: "eu/se/solo", labels: { tier: "lab" } },
    });
    expect(await hosts("site=eu/se/*")).toEqual(["se-w-1"]);
    expect(await hosts("tier=lab")).toEqual(["dk-w-2", "se-w-1"]);
    await db.cluster.update({
      where: { name: "se-malmo-0007" },
      data: { site: "eu/se/malmo-0007", labels: { tier: "core" } },
    });
    await db.machine.updateMany({
      where: { hostname: "se-w-1" },
      data: { site: null, labels: { canary: "no" } },
    });
  });

  it("explain malformed selectors with the position and an example", () => {
    expect(() => parseSelector("role=")).toThrow(/character 6: expected a value, found the end/);
    expect(() => parseSelector("site in (eu/dk/*")).toThrow(/expected "," or "\)"/);
    expect(() => parseSelector("role=worker;tier=edge")).toThrow(
      /character 12: expected "," between terms, found ";"/,
    );
    expect(() => parseSelector("<script>")).toThrow(/character 1: expected a key, found "<"/);
    expect(() => parseSelector("health")).toThrow(/"health" is a machine field, so it needs a value/);
    expect(() => parseSelector("x".repeat(3000))).toThrow(/longer than 2000 characters/);
    expect(() => selectorWhere(parseSelector("health=sick"))).toThrow(/health must be one of/);
    expect(() => selectorWhere(parseSelector("role=boss"))).toThrow(/role must be controlplane or worker/);
  });
});
