import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { Principal } from "../../model/principal";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { danishOperator, danishViewer, operator, seedViewsFleet } from "../../testing/views-fleet";

let database: TestDatabase;
let ids: Map<string, string>;
beforeAll(async () => {
  database = await createTestDatabase();
  ids = await seedViewsFleet(database.db);
});
afterAll(() => database.drop());

const as = (p: Principal) => createCaller(createContextInner({ db: database.db, principal: p }));
const id = (key: string) => ids.get(key) ?? "";
const machine = (key: string) => database.db.machine.findUniqueOrThrow({ where: { id: id(key) } });

describe("editing labels and sites", () => {
  it("a viewer may not edit", async () => {
    await expect(
      as(danishViewer()).machines.update({ id: id("aarhus/aarhus-w-1"), labels: { a: "b" } }),
    ).rejects.toThrow("This needs the operator or admin role.");
  });

  it("an operator replaces a machine's labels and sets and clears its site; audited", async () => {
    await as(danishOperator()).machines.update({
      id: id("aarhus/aarhus-w-1"),
      labels: { rack: "r12", "example.com/owner": "team-a" },
      site: "eu/dk/aarhus-0043",
    });
    expect(await machine("aarhus/aarhus-w-1")).toMatchObject({
      labels: { rack: "r12", "example.com/owner": "team-a" },
      site: "eu/dk/aarhus-0043",
    });
    await as(danishOperator()).machines.update({ id: id("aarhus/aarhus-w-1"), site: null });
    expect((await machine("aarhus/aarhus-w-1")).site).toBeNull();
    const audit = await database.db.auditEntry.findFirst({
      where: { action: "machines.update" },
      orderBy: { id: "desc" },
    });
    expect(audit).toMatchObject({
      actor: "otto",
      result: "ok",
      target: `machine:${id("aarhus/aarhus-w-1")}`,
    });
  });

  it("refuses bad label keys, values and site paths with clear messages", async () => {
    const op = as(operator());
    await expect(
      op.machines.update({ id: id("aarhus/aarhus-w-1"), labels: { "-bad": "x" } }),
    ).rejects.toThrow(/-bad.{0,3} may hold letters/);
    await expect(
      op.machines.update({ id: id("aarhus/aarhus-w-1"), labels: { ok: "<script>" } }),
    ).rejects.toThrow(/label values may hold letters/);
    await expect(
      op.machines.update({ id: id("aarhus/aarhus-w-1"), labels: { health: "x" } }),
    ).rejects.toThrow(/health.{0,3} is a machine field/);
    await expect(op.machines.update({ id: id("aarhus/aarhus-w-1"), site: "EU//dk" })).rejects.toThrow(
      /must be a path of lower-case parts/,
    );
  });

  it("an operator scoped to Denmark cannot edit Swedish machines nor move Danish ones to Sweden", async () => {
    await expect(
      as(danishOperator()).machines.update({ id: id("malmo/malmo-cp-1"), labels: { a: "b" } }),
    ).rejects.toThrow("This machine does not exist or is outside your scope.");
    await expect(
      as(danishOperator()).machines.update({ id: id("aarhus/aarhus-w-2"), site: "eu/se/malmo-0007" }),
    ).rejects.toThrow(/outside your scope/);
    expect((await machine("aarhus/aarhus-w-2")).site).toBeNull();
    await expect(as(danishOperator()).clusters.update({ name: "malmo", labels: {} })).rejects.toThrow(
      "This cluster does not exist or is outside your scope.",
    );
    await expect(as(danishOperator()).clusters.update({ name: "aarhus", site: "eu/se/x" })).rejects.toThrow(
      /outside your scope/,
    );
  });

  it("bulk edit sets and removes labels and sets the site on every selected machine, all or nothing", async () => {
    const selected = [id("aarhus/aarhus-cp-1"), id("aarhus/aarhus-w-2")];
    await as(operator()).machines.bulkUpdate({
      ids: selected,
      setLabels: { ring: "1" },
      removeLabels: ["canary"],
    });
    expect((await machine("aarhus/aarhus-w-2")).labels).toEqual({ ring: "1", tier: "standard" });
    expect((await machine("aarhus/aarhus-cp-1")).labels).toEqual({ ring: "1" });
    await expect(
      as(danishOperator()).machines.bulkUpdate({
        ids: [...selected, id("malmo/malmo-cp-1")],
        setLabels: { ring: "2" },
      }),
    ).rejects.toThrow(
      "1 of the 3 selected machines do not exist or are outside your scope; nothing was changed.",
    );
    expect((await machine("aarhus/aarhus-w-2")).labels).toEqual({ ring: "1", tier: "standard" });
    await expect(as(operator()).machines.bulkUpdate({ ids: selected })).rejects.toThrow(/nothing to change/);
    await as(operator()).machines.bulkUpdate({ ids: selected, site: "eu/dk/aarhus-0099" });
    expect((await machine("aarhus/aarhus-cp-1")).site).toBe("eu/dk/aarhus-0099");
  });

  it("edits a cluster's labels and site", async () => {
    await as(operator()).clusters.update({
      name: "lund",
      labels: { group: "nordics" },
      site: "eu/se/lund-0002",
    });
    expect(await database.db.cluster.findUniqueOrThrow({ where: { name: "lund" } })).toMatchObject({
      labels: { group: "nordics" },
      site: "eu/se/lund-0002",
    });
  });
});
