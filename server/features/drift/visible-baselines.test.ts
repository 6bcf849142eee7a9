// A reader scoped to some sites sees the fleet-wide baselines and those that apply to their machines, in
// the list and in the export; baselines of other sites, clusters or selectors are never named to them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { saveBaseline } from "./edit-baselines";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const dk = await db.cluster.create({ data: { name: "dk-store-1", site: "eu/dk/store-1", endpoints: [] } });
  const ny = await db.cluster.create({ data: { name: "ny-store-9", site: "us/ny/store-9", endpoints: [] } });
  await db.machine.createMany({
    data: [
      { clusterId: dk.id, hostname: "dk-w", address: "10.1.0.1", role: "worker" },
      { clusterId: ny.id, hostname: "ny-w", address: "10.2.0.1", role: "worker" },
    ],
  });
  const save = async (name: string, attach: Record<string, string>) => {
    const r = await saveBaseline({ db, input: { name, spec: { attach, talosVersion: "v1.13.9" } } });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
  };
  await save("fleet-wide", { level: "fleet" });
  await save("denmark", { level: "site", site: "eu/dk" });
  await save("new-york", { level: "site", site: "us/ny" });
  await save("ny-store-9-pins", { level: "cluster", cluster: "ny-store-9" });
  await save("us-workers", { level: "selector", selector: "site in (us/*),role=worker" });
});
afterAll(() => database.drop());

const as = (scope: string) =>
  createCaller(
    createContextInner({ db: database.db, principal: principalWith("v", { role: "viewer", scope }) }),
  );

describe("baselines a scoped reader sees", () => {
  it("are the fleet-wide ones and those applying to their machines, in the list and the export", async () => {
    const eu = as("site:eu/*");
    expect((await eu.drift.baselines()).map((b) => b.name)).toEqual(["denmark", "fleet-wide"]);
    const yaml = (await eu.drift.exportBaselines()).yaml;
    expect(yaml).toContain("name: denmark");
    for (const hidden of ["new-york", "ny-store-9", "us-workers", "us/ny"])
      expect(yaml).not.toContain(hidden);
  });

  it("are all of them for a fleet-wide reader", async () => {
    expect((await as("").drift.baselines()).map((b) => b.name)).toEqual([
      "denmark",
      "fleet-wide",
      "new-york",
      "ny-store-9-pins",
      "us-workers",
    ]);
  });
});
