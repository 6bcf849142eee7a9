// The drift overview's trend counts drift appearing and clearing, not an expectation becoming known:
// items that were "unknown" until a machine's facts were read, then held, leave the trend at zero.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { seedInventory } from "../../testing/seed-inventory";
import { getDriftOverview } from "./get-drift-overview";

let database: TestDatabase;
let ids: Map<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  ids = await seedInventory(database.db, [
    {
      name: "aarhus",
      site: "eu/dk/aarhus",
      machines: [{ hostname: "a-1" }, { hostname: "a-2" }, { hostname: "a-3" }],
    },
  ]);
});
afterAll(() => database.drop());

const NOW = new Date("2026-11-20T12:00:00Z");
const at = (hoursBefore: number) => new Date(NOW.getTime() - hoursBefore * 3_600_000);

describe("the drift trend", () => {
  it("counts items that drifted and cleared, not items that only became known", async () => {
    const machine = (h: string) => ids.get(`aarhus/${h}`) ?? "";
    const ev = (h: string, hours: number, field: string, change: string, state: string) => ({
      machineId: machine(h),
      at: at(hours),
      field,
      change,
      state,
      baselineName: "fleet-defaults",
    });
    await database.db.driftEvent.createMany({
      data: [
        // a-1: unknown until read, then held (cleared from unknown): no drift at all
        ev("a-1", 50, "talosVersion", "appeared", "unknown"),
        ev("a-1", 49, "talosVersion", "cleared", "unknown"),
        // a-2: unknown, then read as drifted (appears), then fixed (clears)
        ev("a-2", 50, "talosVersion", "appeared", "unknown"),
        ev("a-2", 49, "talosVersion", "changed", "drifted"),
        ev("a-2", 2, "talosVersion", "cleared", "drifted"),
        // a-3: drifted at once, its actual value changed (still drifted), then it became unknown
        ev("a-3", 26, "kernelArg:mitigations", "appeared", "drifted"),
        ev("a-3", 25, "kernelArg:mitigations", "changed", "drifted"),
        ev("a-3", 1, "kernelArg:mitigations", "changed", "unknown"),
      ],
    });
    const o = await getDriftOverview({ db: database.db, scopes: [""], now: NOW });
    const day = (d: Date) => o.trend.find((t) => t.day === d.toISOString().slice(0, 10));
    expect(o.trend.reduce((n, t) => n + t.appeared, 0)).toBe(2);
    expect(o.trend.reduce((n, t) => n + t.cleared, 0)).toBe(2);
    expect(day(at(49))?.appeared).toBe(1); // a-2 read as drifted
    expect(day(at(26))?.appeared).toBe(1); // a-3
    expect(day(at(1))?.cleared).toBe(2); // a-2 fixed, a-3 no longer known to drift
  });
});
