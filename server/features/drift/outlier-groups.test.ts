// Outlier groups from the database: readings stored with their fingerprints (or given one on first use), groups
// current after every change (a version, a reading, a machine leaving), and each reader sees only its scope.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { seedInventory } from "../../testing/seed-inventory";
import { outlierGroupByKey, outlierGroups } from "./outlier-groups";
import type { DriftReading } from "./read-drift-state";
import { recordDriftState } from "./record-drift-state";

let database: TestDatabase;
let ids: Map<string, string>;

const reading = (over: Partial<DriftReading> = {}): DriftReading => ({
  extensions: ["iscsi-tools"],
  schematicId: "",
  schematic: null,
  kernelArgs: ["talos.platform=metal", "pti=on"],
  config: null,
  configUnknownReason: "unknown: needs admin credential",
  ...over,
});

const id = (name: string) => ids.get(name) ?? "";
const summaries = async (scopes: string[]) =>
  (await outlierGroups({ db: database.db, scopes })).map((g) => [g.summary, g.hostnames, g.alsoIn]);

beforeAll(async () => {
  database = await createTestDatabase();
  const workers = (prefix: string) =>
    Array.from({ length: 6 }, (_, i) => ({ hostname: `${prefix}-w-${i + 1}`, role: "worker" as const }));
  ids = await seedInventory(database.db, [
    { name: "dk-1", site: "eu/dk/aarhus", machines: workers("dk-1") },
    { name: "se-1", site: "eu/se/malmo", machines: workers("se-1") },
  ]);
  for (const [name, machineId] of ids) {
    if (name === "dk-1/dk-1-w-2") continue;
    await recordDriftState(database.db, machineId, reading());
  }
  // a reading from before fingerprints existed (or written by hand): given its fingerprint on first use
  await database.db.machineDriftState.create({
    data: {
      machineId: id("dk-1/dk-1-w-2"),
      extensions: ["iscsi-tools", "tailscale"],
      schematicId: "",
      kernelArgs: ["talos.platform=metal", "pti=on", "mitigations=off"],
      readingHash: "before-fingerprints",
      readAt: new Date(),
    },
  });
});

afterAll(() => database?.drop());

describe("outlier groups from the database", () => {
  it("groups machines by what their readings say, at the widest scope where they stand out", async () => {
    expect(await summaries([""])).toEqual([
      [
        "1 of 12 workers in the fleet differ: extension tailscale; kernel arg mitigations=off",
        ["dk-1-w-2"],
        ["eu", "eu/dk", "eu/dk/aarhus", "cluster dk-1"],
      ],
    ]);
    const state = await database.db.machineDriftState.findUniqueOrThrow({
      where: { machineId: id("dk-1/dk-1-w-2") },
    });
    expect(state.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    // identical readings share one fingerprint, stored once
    expect(await database.db.driftFingerprint.count()).toBe(2);
  });

  it("is current after each change, with no waiting: a version, a reading, a machine leaving", async () => {
    await database.db.machine.update({
      where: { id: id("se-1/se-1-w-3") },
      data: { talosVersion: "v1.12.0" },
    });
    expect((await summaries([""])).map((s) => s[0]).sort()).toEqual([
      "1 of 12 workers in the fleet differ: Talos v1.12.0 (most: v1.11.5)",
      "1 of 12 workers in the fleet differ: extension tailscale; kernel arg mitigations=off",
    ]);
    await recordDriftState(database.db, id("dk-1/dk-1-w-2"), reading());
    await database.db.machine.update({ where: { id: id("se-1/se-1-w-3") }, data: { removedAt: new Date() } });
    expect(await summaries([""])).toEqual([]);
    await recordDriftState(database.db, id("se-1/se-1-w-4"), reading({ extensions: [] }));
    expect((await summaries([""])).map((s) => s[0])).toEqual([
      "1 of 11 workers in the fleet differ: without extension iscsi-tools",
    ]);
  });

  it("a reader sees the groups of its own scope, and a group's key finds its machines", async () => {
    expect((await summaries(["site:eu/dk/*"])).map((s) => s[0])).toEqual([]);
    const se = await outlierGroups({ db: database.db, scopes: ["site:eu/se/*"] });
    expect(se.map((g) => g.summary)).toEqual([
      "1 of 5 workers in the fleet differ: without extension iscsi-tools",
    ]);
    const key = se[0]?.key ?? "";
    expect((await outlierGroupByKey({ db: database.db, scopes: ["site:eu/se/*"], key }))?.machineIds).toEqual(
      [id("se-1/se-1-w-4")],
    );
    expect(await outlierGroupByKey({ db: database.db, scopes: ["site:eu/dk/*"], key })).toBeNull();
  });
});
