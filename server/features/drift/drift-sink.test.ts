// The collector's drift sink against a real Postgres: a burst of readings (a fleet's first contacts) is stored
// one per machine, the newest of a machine winning, and stopping stores what is still waiting.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { seedInventory } from "../../testing/seed-inventory";
import { DriftSink } from "./drift-sink";
import type { DriftReading } from "./read-drift-state";
import { readingHash } from "./record-drift-state";

let database: TestDatabase;
let ids: string[];

const reading = (extensions: string[]): DriftReading => ({
  extensions,
  schematicId: null,
  schematic: null,
  kernelArgs: ["talos.platform=metal"],
  config: null,
  configUnknownReason: "unknown: needs admin credential",
});

beforeAll(async () => {
  database = await createTestDatabase();
  const machines = await seedInventory(database.db, [
    { name: "sink", machines: Array.from({ length: 40 }, (_, i) => ({ hostname: `m-${i}` })) },
  ]);
  ids = [...machines.values()];
});

afterAll(async () => {
  await database?.drop();
});

describe("drift sink", { timeout: 60_000 }, () => {
  it("stores a burst of readings, the newest per machine, and stores what waits when stopped", async () => {
    const sink = new DriftSink(database.db, pino({ level: "silent" }), 50);
    // Every machine read three times in quick succession: only the last reading of each counts.
    for (const round of ["a", "b", "c"]) {
      for (const id of ids) sink.record(id, reading([`ext-${round}`]), "v1.11.5|v1.34.1");
    }
    // Readings wait one per machine, however many arrived.
    expect(sink.backlog).toBeLessThanOrEqual(ids.length);
    await sink.stop();
    const stored = await database.db.machineDriftState.findMany({
      select: { machineId: true, readingHash: true },
    });
    expect(stored).toHaveLength(ids.length);
    const newest = readingHash(reading(["ext-c"]));
    expect(stored.every((s) => s.readingHash === newest)).toBe(true);
  });
});
