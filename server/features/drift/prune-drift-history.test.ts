// Drift history retention: events older than the retention period go, newer ones and current items stay.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { seedInventory } from "../../testing/seed-inventory";
import { pruneFingerprints } from "./fingerprint-store";
import { pruneDriftHistory } from "./prune-drift-history";

let database: TestDatabase;
let machineId: string;
const DAY = 86_400_000;
const now = new Date("2026-06-01T12:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
  const ids = await seedInventory(database.db, [
    { name: "prod-fra-1", site: "eu/de", machines: [{ hostname: "cp-1" }, { hostname: "w-1" }] },
  ]);
  machineId = ids.get("prod-fra-1/w-1") ?? "";
  const event = (daysAgo: number, change: string) => ({
    machineId,
    at: new Date(now.getTime() - daysAgo * DAY),
    field: "kernelArg:mitigations",
    change,
    state: "drifted",
    baselineName: "fleet",
  });
  await database.db.driftEvent.createMany({
    data: [
      event(200, "appeared"),
      event(120, "changed"),
      event(91, "changed"),
      event(89, "changed"),
      event(1, "changed"),
    ],
  });
  await database.db.driftItem.create({
    data: {
      machineId,
      field: "kernelArg:mitigations",
      kind: "kernelArg",
      declared: "mitigations=auto",
      actual: "mitigations=off",
      state: "drifted",
      baselineId: "00000000-0000-4000-8000-000000000001",
      baselineName: "fleet",
      since: new Date(now.getTime() - 200 * DAY),
    },
  });
});

afterAll(() => database?.drop());

describe("drift history retention", () => {
  it("removes events older than the retention period and keeps the rest and the current item", async () => {
    expect(await pruneDriftHistory(database.db, { olderThanDays: 90, now })).toEqual({ removed: 3 });
    const left = await database.db.driftEvent.findMany({ where: { machineId }, orderBy: { at: "asc" } });
    expect(left.map((e) => Math.round((now.getTime() - e.at.getTime()) / DAY))).toEqual([89, 1]);
    // the drifted item still says since when, though the event that recorded its appearance is gone
    const item = await database.db.driftItem.findFirstOrThrow({ where: { machineId } });
    expect(Math.round((now.getTime() - item.since.getTime()) / DAY)).toBe(200);
    expect(await pruneDriftHistory(database.db, { olderThanDays: 90, now })).toEqual({ removed: 0 });
  });

  it("removes fingerprints no reading has used for a day, keeps those in use or just stored", async () => {
    const { db } = database;
    const components = { values: [["extension:iscsi-tools", "installed"]], known: ["version", "extensions"] };
    const dayAgo = (days: number) => new Date(now.getTime() - days * DAY);
    await db.driftFingerprint.createMany({
      data: [
        { fingerprint: "in-use", components, usedAt: dayAgo(30) },
        { fingerprint: "forgotten", components, usedAt: dayAgo(2) },
        { fingerprint: "just-stored", components, usedAt: dayAgo(0.5) },
      ],
    });
    await db.machineDriftState.create({
      data: { machineId, fingerprint: "in-use", schematicId: "", readingHash: "h", readAt: now },
    });
    expect(await pruneFingerprints(db, now)).toBe(1);
    expect(
      (await db.driftFingerprint.findMany({ orderBy: { fingerprint: "asc" } })).map((f) => f.fingerprint),
    ).toEqual(["in-use", "just-stored"]);
  });
});
