import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { getHealthHistory } from "./get-health-history";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("health over time", () => {
  it("counts a machine only from when it joined, then by its recorded health changes", async () => {
    const { db } = database;
    const now = new Date();
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const cluster = await db.cluster.create({ data: { name: "c", endpoints: [] } });
    const m = await db.machine.create({
      data: {
        clusterId: cluster.id,
        hostname: "m",
        address: "127.7.0.1",
        role: "worker",
        createdAt: hoursAgo(5.5),
        health: "unhealthy",
      },
    });
    await db.machineStateChange.createMany({
      data: [
        { machineId: m.id, at: hoursAgo(5.4), field: "health", fromValue: "unknown", toValue: "healthy" },
        { machineId: m.id, at: hoursAgo(2.5), field: "health", fromValue: "healthy", toValue: "unhealthy" },
      ],
    });
    const { points } = await getHealthHistory({ db, scopes: [""], range: "24h", now });
    const at = (h: number) =>
      points.find((p) => Math.abs(p.at.getTime() - hoursAgo(h).getTime()) < 1_000)?.counts;
    const total = (c: Record<string, number> | undefined) =>
      Object.values(c ?? {}).reduce((a, b) => a + b, 0);
    expect(total(at(10))).toBe(0);
    expect(at(4)).toMatchObject({ healthy: 1, unhealthy: 0, unknown: 0 });
    expect(at(1)).toMatchObject({ healthy: 0, unhealthy: 1, unknown: 0 });
    expect(points.at(-1)?.counts).toMatchObject({ unhealthy: 1 });
  });
});
