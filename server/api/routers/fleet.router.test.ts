import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { createCaller } from "../app-router";
import { createContextInner } from "../trpc/context";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("fleet.summary", () => {
  it("needs a signed-in user", async () => {
    const caller = createCaller(createContextInner({ db: database.db }));
    await expect(caller.fleet.summary()).rejects.toThrow("Sign in to continue.");
  });

  it("is all zeros for an empty inventory", async () => {
    const caller = createCaller(
      createContextInner({ db: database.db, principal: principalWith("vera", "viewer") }),
    );
    expect(await caller.fleet.summary()).toEqual({
      clusters: 0,
      machines: 0,
      controlPlanes: 0,
      workers: 0,
      sites: 0,
    });
  });

  it("counts clusters, machines by role and distinct sites", async () => {
    const { db } = database;
    const a = await db.cluster.create({
      data: { name: "store-0001", site: "eu/dk/aarhus-0001", endpoints: ["127.1.0.1"] },
    });
    const b = await db.cluster.create({
      data: { name: "store-0002", site: "eu/dk/aarhus-0001", endpoints: ["127.1.0.9"] },
    });
    await db.cluster.create({ data: { name: "lab", endpoints: ["127.1.1.1"] } });
    await db.machine.createMany({
      data: [
        { clusterId: a.id, hostname: "cp-1", address: "127.1.0.1", role: "controlplane" },
        { clusterId: a.id, hostname: "w-1", address: "127.1.0.2", role: "worker" },
        { clusterId: a.id, hostname: "w-2", address: "127.1.0.3", role: "worker" },
        { clusterId: b.id, hostname: "cp-1", address: "127.1.0.9", role: "controlplane" },
      ],
    });
    const caller = createCaller(createContextInner({ db, principal: principalWith("vera", "viewer") }));
    expect(await caller.fleet.summary()).toEqual({
      clusters: 3,
      machines: 4,
      controlPlanes: 2,
      workers: 2,
      sites: 1,
    });
  });
});
