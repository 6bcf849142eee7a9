// The demo fleet: imported once into an empty inventory, back on every later start, never over a
// real fleet.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setInstanceSecretKey } from "../../platform/secrets/instance-key";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { openCredential } from "../credentials/open-credential";
import { discoverMembers } from "../inventory/discover-members";
import { DEMO_CLUSTERS, DEMO_NODES_PER_CLUSTER, startDemoFleet } from "./demo-fleet";

const log = pino({ level: "silent" });
let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "minos-demo-"));
  setInstanceSecretKey(await loadSecretKey({ dataDir }));
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("the demo fleet", () => {
  it("is imported into an empty inventory with sites and labels, and comes back on the next start", async () => {
    const first = await startDemoFleet(database.db, { dataDir, log });
    expect(first).not.toBeNull();
    await first?.stop();
    const clusters = await database.db.cluster.findMany({
      include: { _count: { select: { machines: true } } },
    });
    expect(clusters).toHaveLength(DEMO_CLUSTERS);
    expect(clusters.every((c) => c._count.machines === DEMO_NODES_PER_CLUSTER)).toBe(true);
    expect(clusters.every((c) => /^(eu|us|ap|sa)\/[a-z]{2}\/[a-z]+-[a-z]+-\d+$/.test(c.site))).toBe(true);
    expect(new Set(clusters.map((c) => c.site.split("/")[0])).size).toBeGreaterThan(1);
    // Declared state to drift from: a fleet-wide rule and the half-upgraded cluster's target version.
    const baselines = await database.db.baseline.findMany({ orderBy: { name: "asc" } });
    expect(baselines.map((b) => b.name)).toContain("fleet-defaults");
    const mixed = baselines.find((b) => (b.spec as { attach: { level: string } }).attach.level === "cluster");
    expect(mixed?.spec).toMatchObject({ talosVersion: expect.stringMatching(/^v1\.\d+\.\d+/) });

    // Second start: same simulator on the same port with the same CA, nothing imported twice.
    const second = await startDemoFleet(database.db, { dataDir, log });
    try {
      expect(await database.db.cluster.count()).toBe(DEMO_CLUSTERS);
      expect(await database.db.baseline.count()).toBe(2);
      const name = clusters[0]?.name ?? "";
      const ctx = await openCredential(database.db, name);
      const machines = await discoverMembers({ ...ctx, endpoints: clusters[0]?.endpoints ?? [] });
      expect(machines).toHaveLength(DEMO_NODES_PER_CLUSTER);
    } finally {
      await second?.stop();
    }
  });

  it("stays out of an inventory that holds a real fleet", async () => {
    const other = await createTestDatabase();
    try {
      await other.db.cluster.create({ data: { name: "real", endpoints: ["127.9.9.9:50000"] } });
      const fresh = await mkdtemp(path.join(os.tmpdir(), "minos-demo-real-"));
      expect(await startDemoFleet(other.db, { dataDir: fresh, log })).toBeNull();
      expect(await other.db.cluster.count()).toBe(1);
    } finally {
      await other.drop();
    }
  });
});
