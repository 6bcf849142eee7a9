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
const hostnames = async (p: Principal, input: Parameters<ReturnType<typeof as>["machines"]["list"]>[0]) =>
  (await as(p).machines.list(input)).rows.map((r) => r.hostname);

describe("machines.list", () => {
  it("lists every machine for a fleet-wide viewer, sorted by hostname", async () => {
    const res = await as(everyone()).machines.list({});
    expect(res.total).toBe(7);
    expect(res.rows.map((r) => r.hostname)).toEqual([
      "aarhus-cp-1",
      "aarhus-w-1",
      "aarhus-w-2",
      "lund-borrowed-w-1",
      "lund-cp-1",
      "malmo-cp-1",
      "malmo-secret-w-1",
    ]);
  });

  it("shows a Danish viewer only Danish machines, including one whose cluster is Swedish", async () => {
    const res = await as(danishViewer()).machines.list({});
    expect(res.total).toBe(4);
    expect(res.rows.map((r) => r.hostname)).toEqual([
      "aarhus-cp-1",
      "aarhus-w-1",
      "aarhus-w-2",
      "lund-borrowed-w-1",
    ]);
    expect(res.rows.find((r) => r.hostname === "lund-borrowed-w-1")?.site).toBe("eu/dk/borrowed-0001");
  });

  it("never reveals an out-of-scope machine, not through search, selector or count", async () => {
    const viewer = danishViewer();
    expect(await as(viewer).machines.list({ q: "secret" })).toMatchObject({ total: 0, rows: [] });
    expect((await as(viewer).machines.list({ selector: "site in (eu/se/*)" })).total).toBe(0);
    expect((await as(viewer).machines.list({ cluster: "malmo" })).total).toBe(0);
    expect((await as(viewer).machines.list({ health: ["unreachable"] })).total).toBe(0);
    expect((await as(everyone()).machines.list({ health: ["unreachable"] })).total).toBe(1);
  });

  it("filters by health, cluster, site, role, version, label selector and free text", async () => {
    const all = everyone();
    expect(await hostnames(all, { health: ["unhealthy", "unreachable"] })).toEqual([
      "aarhus-w-1",
      "malmo-secret-w-1",
    ]);
    expect(await hostnames(all, { cluster: "lund" })).toEqual(["lund-borrowed-w-1", "lund-cp-1"]);
    expect(await hostnames(all, { site: "eu/se" })).toEqual(["lund-cp-1", "malmo-cp-1", "malmo-secret-w-1"]);
    expect(await hostnames(all, { site: "eu/dk/*" })).toHaveLength(4);
    expect(await hostnames(all, { role: "controlplane" })).toEqual([
      "aarhus-cp-1",
      "lund-cp-1",
      "malmo-cp-1",
    ]);
    expect(await hostnames(all, { version: "v1.12.0" })).toEqual(["malmo-cp-1", "malmo-secret-w-1"]);
    expect(await hostnames(all, { version: "v1.1*" })).toHaveLength(7);
    expect(await hostnames(all, { kubernetes: "v1.35.0" })).toEqual(["malmo-cp-1"]);
    expect(await hostnames(all, { selector: "group=nordics,!canary,role=worker" })).toEqual([
      "aarhus-w-1",
      "malmo-secret-w-1",
    ]);
    // The machine's own label wins over the cluster's.
    expect(await hostnames(all, { selector: "tier=standard" })).toEqual(["aarhus-w-2"]);
    expect(await hostnames(all, { q: "BORROWED" })).toEqual(["lund-borrowed-w-1"]);
    expect(await hostnames(all, { q: "10.0.1." })).toEqual(["malmo-cp-1", "malmo-secret-w-1"]);
  });

  it("refuses a malformed selector with its position", async () => {
    await expect(as(everyone()).machines.list({ selector: "role=worker,(" })).rejects.toThrow(
      /not valid at character 13/,
    );
  });

  it("sorts and pages", async () => {
    const all = everyone();
    expect(await hostnames(all, { sort: "hostname", dir: "desc", pageSize: 2 })).toEqual([
      "malmo-secret-w-1",
      "malmo-cp-1",
    ]);
    const page2 = await as(all).machines.list({ sort: "hostname", pageSize: 3, page: 3 });
    expect(page2).toMatchObject({ total: 7, page: 3 });
    expect(page2.rows.map((r) => r.hostname)).toEqual(["malmo-secret-w-1"]);
    expect((await hostnames(all, { sort: "cluster" })).slice(0, 3)).toEqual([
      "aarhus-cp-1",
      "aarhus-w-1",
      "aarhus-w-2",
    ]);
    expect((await hostnames(all, { sort: "site" })).at(-1)).toBe("malmo-secret-w-1");
    expect((await hostnames(all, { sort: "version", dir: "desc" })).slice(0, 2)).toEqual([
      "malmo-cp-1",
      "malmo-secret-w-1",
    ]);
  });
});

describe("machines.byId", () => {
  it("shows a machine in scope with its cluster's labels and site, and hides one out of scope", async () => {
    const ids = await database.db.machine.findMany({ select: { id: true, hostname: true } });
    const id = (h: string) => ids.find((m) => m.hostname === h)?.id ?? "";
    const m = await as(danishViewer()).machines.byId({ id: id("aarhus-w-2") });
    expect(m).toMatchObject({
      hostname: "aarhus-w-2",
      effectiveSite: "eu/dk/aarhus-0042",
      ownLabels: { canary: "true", tier: "standard" },
      clusterLabels: { group: "nordics", tier: "flagship" },
    });
    await expect(as(danishViewer()).machines.byId({ id: id("malmo-secret-w-1") })).rejects.toThrow(
      "This machine does not exist or is outside your scope.",
    );
  });
});

describe("machines.matchingIds", () => {
  it("gives the ids of every machine matching the filter, within the viewer's scope", async () => {
    const all = await as(everyone()).machines.matchingIds({ selector: "canary" });
    const list = await as(everyone()).machines.list({ selector: "canary" });
    expect(all.ids).toHaveLength(1);
    expect(all.ids).toEqual(list.rows.map((r) => r.id));
    const dk = await as(danishViewer()).machines.matchingIds({});
    expect(dk.ids).toHaveLength(4);
    const se = await as(danishViewer()).machines.matchingIds({ cluster: "malmo" });
    expect(se.ids).toEqual([]);
  });

  it("says what is wrong with a malformed selector", async () => {
    await expect(as(everyone()).machines.matchingIds({ selector: "a in (" })).rejects.toThrow(/not valid/);
  });
});
