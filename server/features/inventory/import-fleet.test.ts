// Importing a fleet from a talosconfig against the simulator over real mTLS, all or nothing.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "@/sim";
import { setInstanceSecretKey } from "../../platform/secrets/instance-key";
import { loadSecretKey, type SecretKey } from "../../platform/secrets/secret-key";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { removeCredential } from "../credentials/remove-credential";
import { discoveryPass } from "./discovery-loop";
import { importFleet } from "./import-fleet";
import { removeCluster } from "./remove-clusters";
import { syncMembers } from "./sync-members";

let sim: RunningSimulator;
let secretKey: SecretKey;
let database: TestDatabase;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "minos-import-"));
  sim = await startSimulator({
    clusters: 2,
    nodesPerCluster: 4,
    port: 0,
    stateDir: dir,
    seed: "import-test",
  });
  secretKey = await loadSecretKey({ dataDir: dir });
  setInstanceSecretKey(secretKey);
});
afterAll(async () => {
  await sim.stop();
  await database?.drop();
});

describe("importing a fleet", () => {
  it("turns every context into a cluster and discovers its machines through the Talos API", async () => {
    database = await createTestDatabase();
    const { db } = database;
    const imported = await importFleet(db, { talosconfig: sim.talosconfig, secretKey, site: "eu/dk/lab" });
    expect(imported).toEqual(sim.clusters.map((c) => ({ name: c.name, machines: 4 })));
    for (const c of sim.clusters) {
      const cluster = await db.cluster.findUniqueOrThrow({
        where: { name: c.name },
        include: { machines: { orderBy: { hostname: "asc" } }, credential: true },
      });
      expect(cluster.site).toBe("eu/dk/lab");
      expect(cluster.endpoints).toEqual([c.endpoint]);
      expect(cluster.credential?.name).toBe(c.name);
      expect(cluster.machines.map((m) => [m.hostname, m.address, m.role])).toEqual(
        [...c.nodes]
          .sort((a, b) => a.hostname.localeCompare(b.hostname))
          .map((n) => [n.hostname, n.address, n.role]),
      );
    }
  });

  it("refuses a second import of the same clusters and stores nothing more", async () => {
    const before = await database.db.machine.count();
    await expect(importFleet(database.db, { talosconfig: sim.talosconfig, secretKey })).rejects.toThrow(
      /already in the inventory, so nothing was imported/,
    );
    expect(await database.db.machine.count()).toBe(before);
  });

  it("brings removed clusters back with their history when their talosconfig is imported again", async () => {
    const fresh = await createTestDatabase();
    try {
      const { db } = fresh;
      await importFleet(db, { talosconfig: sim.talosconfig, secretKey });
      const before = await db.cluster.findMany({
        orderBy: { name: "asc" },
        select: { id: true, name: true },
      });
      // Each cluster removed, then its credential (the simulator's clusters share one CA).
      for (const c of before) {
        expect(await removeCluster({ db, name: c.name })).toEqual({ clusters: [c.name], machines: 4 });
        await removeCredential(db, c.name);
      }
      expect(await db.machine.count({ where: { removedAt: null } })).toBe(0);

      const imported = await importFleet(db, { talosconfig: sim.talosconfig, secretKey });
      expect(imported).toEqual(sim.clusters.map((c) => ({ name: c.name, machines: 4 })));
      const after = await db.cluster.findMany({
        orderBy: { name: "asc" },
        select: { id: true, name: true, removedAt: true, credential: { select: { name: true } } },
      });
      expect(after).toEqual(before.map((c) => ({ ...c, removedAt: null, credential: { name: c.name } })));
      expect(await db.machine.count({ where: { removedAt: null } })).toBe(8);
      expect(await db.machine.count()).toBe(8);
      const history = await db.machineStateChange.findMany({
        where: { field: "membership" },
        orderBy: { id: "asc" },
        select: { fromValue: true, toValue: true },
      });
      expect(history.slice(-16).map((h) => `${h.fromValue}>${h.toValue}`)).toEqual([
        ...Array(8).fill("member>left"),
        ...Array(8).fill("left>member"),
      ]);
    } finally {
      await fresh.drop();
    }
  });

  it("imports nothing when one cluster cannot be reached, naming it", async () => {
    const fresh = await createTestDatabase();
    try {
      // Point the second context at a port where nothing listens.
      const broken = sim.talosconfig.replace(
        new RegExp(`${sim.clusters[1]?.endpoint.replace(/\./g, "\\.")}`, "g"),
        "127.0.0.1:1",
      );
      await expect(
        importFleet(fresh.db, { talosconfig: broken, secretKey, discoveryTimeoutMs: 3_000 }),
      ).rejects.toThrow(/Nothing was imported: 1 of 2 cluster\(s\) could not be reached/);
      expect(await fresh.db.cluster.count()).toBe(0);
      expect(await fresh.db.talosCredential.count()).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it("rejects a malformed talosconfig with the parser's message", async () => {
    await expect(importFleet(database.db, { talosconfig: "contexts: [oops", secretKey })).rejects.toThrow(
      /not valid YAML/,
    );
  });
});

describe("membership changes", () => {
  it("mark machines that left as removed, and restore them when they return, with history", async () => {
    const { db } = database;
    const cluster = await db.cluster.findFirstOrThrow({ include: { machines: true } });
    const members = cluster.machines.map((m) => ({ hostname: m.hostname, address: m.address, role: m.role }));
    const leaving = members[members.length - 1];
    const left = await syncMembers(db, cluster.id, members.slice(0, -1));
    expect(left).toEqual({ added: 0, removed: 1, restored: 0 });
    const gone = await db.machine.findFirstOrThrow({
      where: { address: leaving?.address, clusterId: cluster.id },
    });
    expect(gone.removedAt).not.toBeNull();
    const back = await syncMembers(db, cluster.id, [
      ...members,
      { hostname: "new-w-9", address: "127.99.0.9", role: "worker" },
    ]);
    expect(back).toEqual({ added: 1, removed: 0, restored: 1 });
    const history = await db.machineStateChange.findMany({
      where: { machineId: gone.id },
      orderBy: { id: "asc" },
    });
    expect(history.map((h) => `${h.fromValue}→${h.toValue}`)).toEqual(["member→left", "left→member"]);
  });
});

describe("discovery", () => {
  const fault = (node: string, method: "POST" | "DELETE") =>
    fetch(`${sim.controlUrl}/nodes/${node}/faults${method === "DELETE" ? "/left" : ""}`, {
      method,
      ...(method === "POST" ? { body: JSON.stringify({ kind: "left" }) } : {}),
    }).then((r) => {
      if (!r.ok) throw new Error(`simulator control API answered ${r.status}`);
    });

  it("notices through the Talos API when a machine leaves its cluster and when it joins again", async () => {
    const { db } = database;
    const log = pino({ level: "silent" });
    const cluster = await db.cluster.findFirstOrThrow({ where: { name: sim.clusters[1]?.name } });
    const worker = await db.machine.findFirstOrThrow({
      where: { clusterId: cluster.id, role: "worker", removedAt: null },
      orderBy: { hostname: "desc" },
    });
    await fault(worker.address, "POST");
    expect(await discoveryPass(db, log)).toEqual({ clusters: 2, failed: 0 });
    expect((await db.machine.findUniqueOrThrow({ where: { id: worker.id } })).removedAt).not.toBeNull();
    const present = await db.machine.count({ where: { clusterId: cluster.id, removedAt: null } });
    expect(present).toBe(3);

    await fault(worker.address, "DELETE");
    expect(await discoveryPass(db, log)).toEqual({ clusters: 2, failed: 0 });
    expect((await db.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).discoveryError).toBeNull();
    expect((await db.machine.findUniqueOrThrow({ where: { id: worker.id } })).removedAt).toBeNull();
  });
});
