// A rollout over a whole 10,000-machine fleet can be previewed and saved: the plan's waves and
// every machine land in the database in one piece, through the API an operator uses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { seedLargeFleet } from "../../testing/seed-inventory";

let database: TestDatabase;
const olivia = principalWith("olivia", "operator");

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.user.create({ data: { id: olivia.userId, username: olivia.username } });
  await seedLargeFleet(database.db, { clusters: 1000, perCluster: 10, historyPerMachine: 0 });
}, 120_000);
afterAll(() => database.drop());

describe("a fleet-wide rollout", () => {
  it("is saved with every planned machine at 10,000 machines", async () => {
    const api = createCaller(createContextInner({ db: database.db, principal: olivia }));
    const spec = {
      name: "fleet to 1.12",
      installerImage: "ghcr.io/siderolabs/installer:v1.12.0",
      scope: { selector: "" },
      wavePlan: {
        canary: { kind: "per-site" as const, count: 1 },
        waves: [{ kind: "percent" as const, percent: 10 }],
      },
      safety: { bakeMinutes: 0 },
    };
    const preview = await api.rollouts.preview(spec);
    expect(preview.planned).toBeGreaterThan(5_000);
    const { id } = await api.rollouts.create(spec);
    const stored = await database.db.rolloutMachine.count({ where: { rolloutId: id } });
    expect(stored).toBe(preview.planned);
    const waves = await database.db.rolloutWave.findMany({
      where: { rolloutId: id },
      orderBy: { index: "asc" },
    });
    expect(waves.map((w) => w.index)).toEqual(preview.waves.map((w) => w.index));
    const firstWave = await database.db.rolloutMachine.count({ where: { rolloutId: id, waveIndex: 0 } });
    expect(firstWave).toBe(preview.waves[0]?.machineIds.length);
  }, 120_000);
});
