// Machine events against the simulator over real mTLS and a real Postgres: the collector stores every
// event once, follows service restarts live, fills gaps from the last stored id after reconnecting,
// keeps history across reboots; retention prunes; the search filters and scopes; the follow resumes.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "@/sim";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { Grant } from "../../model/principal";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { ChannelPool, TalosClient } from "../../talos";
import { parseTalosconfig } from "../../talos/talosconfig";
import { clearFaults, eventually, injectFault, seedFleet } from "../../testing/collector-fleet";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { type Collector, startCollector } from "../collector/collector";
import type { EventView } from "./event-view";
import { pruneEvents } from "./prune-events";

let database: TestDatabase;
let sim: RunningSimulator;
let stateDir: string;
let secretKey: SecretKey;
let collector: Collector;
const pool = new ChannelPool();
const clients = new Map<string, TalosClient>();
const log = pino({ level: process.env.TEST_LOG ?? "silent" });

const SITES = ["eu/dk/aarhus-0001", "us/ny/albany-0002"];

function collect(): Collector {
  return startCollector({
    db: database.db,
    log,
    secretKey,
    leaseMs: 3_000,
    reconcileMs: 2_000,
    flushMs: 200,
    timeoutMs: 4_000,
    maxBackoffMs: 1_000,
    machinesRefreshMs: 1_000,
  });
}

const machineOf = (hostname: string) => database.db.machine.findFirstOrThrow({ where: { hostname } });
const node = (cluster: number, index: number) => {
  const n = sim.clusters[cluster]?.nodes[index];
  if (!n) throw new Error("no such node");
  return n;
};
const clientFor = (cluster: number) => clients.get(sim.clusters[cluster]?.name ?? "") as TalosClient;

/** The node's own event ring, read through the Talos API. */
async function ringOf(cluster: number, address: string): Promise<string[]> {
  const ctl = new AbortController();
  const stream = clientFor(cluster).events({ node: address, tailEvents: -1, signal: ctl.signal });
  await stream.ready;
  const ids: string[] = [];
  const reading = (async () => {
    for await (const e of stream) ids.push(e.id);
  })();
  await new Promise((r) => setTimeout(r, 500));
  ctl.abort();
  await reading.catch(() => {});
  return ids;
}

const storedIds = async (machineId: string) =>
  (await database.db.machineEvent.findMany({ where: { machineId }, select: { eventId: true } })).map(
    (e) => e.eventId,
  );

const callerFor = (grants: (Grant | Grant["role"])[], signal?: AbortSignal) =>
  createCaller(
    createContextInner({ db: database.db, principal: principalWith("vera", ...grants) }),
    signal ? { signal } : {},
  );

/** Reads a subscription until `count` items or `ms` passed, then stops it. */
async function take(stream: AsyncIterable<unknown>, count: number, ms: number, ctl: AbortController) {
  const out: EventView[] = [];
  const timer = setTimeout(() => ctl.abort(), ms);
  try {
    for await (const item of stream) {
      out.push((Array.isArray(item) ? item[1] : item) as EventView);
      if (out.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
  return out;
}

beforeAll(async () => {
  database = await createTestDatabase();
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-events-"));
  secretKey = await loadSecretKey({ dataDir: stateDir });
  sim = await startSimulator({
    clusters: 2,
    nodesPerCluster: 3,
    port: 0,
    stateDir,
    timeScale: 50,
    seed: "events",
  });
  await seedFleet(database.db, sim, secretKey);
  for (const [i, c] of sim.clusters.entries()) {
    await database.db.cluster.update({ where: { name: c.name }, data: { site: SITES[i] as string } });
  }
  for (const context of parseTalosconfig(sim.talosconfig).contexts) {
    clients.set(context.name, new TalosClient(context, { pool }));
  }
  collector = collect();
}, 60_000);

afterAll(async () => {
  await collector?.stop();
  pool.close();
  await sim?.stop();
  await database?.drop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("machine events", { timeout: 60_000 }, () => {
  it("stores every machine's event history once, with sentences", async () => {
    const worker = node(0, 2);
    const m = await machineOf(worker.hostname);
    // Everything the node holds is stored (the node may still be booting when the test starts).
    const kindsWanted = ["sequence", "phase", "task", "serviceState", "machineStatus", "address"];
    await eventually(
      async () => {
        const ring = await ringOf(0, worker.address);
        const stored = await database.db.machineEvent.findMany({
          where: { machineId: m.id },
          select: { eventId: true, kind: true, message: true },
        });
        const ids = new Set(stored.map((e) => e.eventId));
        const kinds = new Set(stored.map((e) => e.kind));
        const running = stored.some((r) => /^Machine is running(,| and ready)/.test(r.message));
        return (
          running &&
          ring.length > 10 &&
          ring.every((id) => ids.has(id)) &&
          kindsWanted.every((k) => kinds.has(k))
        );
      },
      30_000,
      "the node's history stored",
    );
    const rows = await database.db.machineEvent.findMany({ where: { machineId: m.id } });
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(rows.length);
    expect(rows.some((r) => /^Phase \w+ finished in /.test(r.message))).toBe(true);
    expect(rows.every((r) => r.clusterId === m.clusterId && r.at.getTime() > 0)).toBe(true);
    // Every machine of the fleet has its history.
    await eventually(
      async () => (await database.db.machineEvent.groupBy({ by: ["machineId"], _count: true })).length === 6,
      20_000,
      "events of all six machines",
    );
  });

  it("stores a service's restarts as they happen", async () => {
    const worker = node(0, 1);
    const m = await machineOf(worker.hostname);
    const since = new Date(Date.now() - 1_000);
    await injectFault(sim, worker.address, {
      kind: "service",
      service: "kubelet",
      mode: "flapping",
      periodMs: 20_000,
    });
    try {
      const rows = await eventually(
        async () => {
          const r = await database.db.machineEvent.findMany({
            where: { machineId: m.id, kind: "serviceState", receivedAt: { gte: since } },
            orderBy: { id: "asc" },
          });
          const messages = r.map((e) => e.message);
          return messages.some((s) => s.startsWith("Service kubelet failed")) && r;
        },
        10_000,
        "kubelet's restart stored",
      );
      expect(rows.map((r) => r.message)).toContain(
        "Service kubelet failed: Failed to run service: exit status 1",
      );
      expect(rows.some((r) => r.message.startsWith("Service kubelet is running"))).toBe(true);
    } finally {
      await clearFaults(sim, worker.address, "service");
    }
  });

  it("fills what it missed from the last stored event after reconnecting, without duplicates", async () => {
    const worker = node(1, 2);
    const m = await machineOf(worker.hostname);
    await eventually(async () => (await storedIds(m.id)).length > 10, 20_000, "history stored");
    await collector.stop();
    const before = new Set(await storedIds(m.id));
    // Events nobody is listening to.
    await injectFault(sim, worker.address, {
      kind: "service",
      service: "kubelet",
      mode: "flapping",
      periodMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    await clearFaults(sim, worker.address, "service");
    const ring = await ringOf(1, worker.address);
    const missed = ring.filter((id) => !before.has(id));
    expect(missed.length).toBeGreaterThanOrEqual(2);
    collector = collect();
    await eventually(
      async () => {
        const stored = new Set(await storedIds(m.id));
        return missed.every((id) => stored.has(id));
      },
      20_000,
      "the missed events stored",
    );
    const rows = await storedIds(m.id);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.length).toBe(before.size + missed.length);
  });

  it("keeps a machine's events across a reboot, when the node's own ring starts empty", async () => {
    const worker = node(1, 1);
    const m = await machineOf(worker.hostname);
    const beforeReboot = new Set(
      await eventually(
        async () => {
          const ids = await storedIds(m.id);
          return ids.length > 10 && ids;
        },
        20_000,
        "history stored",
      ),
    );
    // The node's ring is wiped by the reboot: what the collector has not received by then is gone (as on a real
    // node). Make sure its stream is live first: a fresh event must arrive and be stored.
    await injectFault(sim, worker.address, {
      kind: "service",
      service: "kubelet",
      mode: "flapping",
      periodMs: 20_000,
    });
    await clearFaults(sim, worker.address, "service");
    const fresh = await ringOf(1, worker.address);
    await eventually(
      async () => {
        const stored = new Set(await storedIds(m.id));
        return fresh.every((id) => stored.has(id));
      },
      20_000,
      "the collector's stream live before the reboot",
    );
    const rebootedAt = new Date();
    await clientFor(1).reboot({ node: worker.address });
    await eventually(
      async () => {
        const boot = await database.db.machineEvent.findFirst({
          where: {
            machineId: m.id,
            at: { gte: new Date(rebootedAt.getTime() - 1_000) },
            message: "Machine is running and ready",
          },
        });
        return boot;
      },
      40_000,
      "the new boot's events stored",
    );
    // The reboot's actor: its events, step by step, in one filter.
    // (The old boot's last events come over the old stream and may be written after the new boot's.)
    const actor = await eventually(
      () =>
        database.db.machineEvent
          .findFirst({ where: { machineId: m.id, kind: "sequence", message: "Sequence reboot started" } })
          .then((e) => e ?? undefined),
      20_000,
      "the reboot sequence's start stored",
    );
    expect(actor.actorId).not.toBe("");
    const steps = await callerFor(["viewer"]).events.list({ actorId: actor.actorId, limit: 500 });
    expect(steps.events.every((e) => e.actorId === actor.actorId && e.machine.id === m.id)).toBe(true);
    expect(steps.events.map((e) => e.message)).toContain("Sequence reboot started");
    expect(steps.events.some((e) => e.kind === "phase" && / finished in /.test(e.message))).toBe(true);
    const ring = await ringOf(1, worker.address);
    expect(ring.some((id) => beforeReboot.has(id))).toBe(false);
    const stored = new Set(await storedIds(m.id));
    expect([...beforeReboot].every((id) => stored.has(id))).toBe(true);
    expect(ring.every((id) => stored.has(id))).toBe(true);
  });

  it("lists with filters, newest first in pages, and never outside the viewer's scope", async () => {
    const admin = callerFor(["viewer"]);
    const all = await admin.events.list({ limit: 500 });
    expect(all.events.length).toBeGreaterThan(50);
    const times = all.events.map((e) => e.at.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const page1 = await admin.events.list({ limit: 7 });
    expect(page1.next).not.toBeNull();
    const page2 = await admin.events.list({ limit: 7, cursor: page1.next as string });
    expect(page2.events.map((e) => e.id)).toEqual(all.events.slice(7, 14).map((e) => e.id));

    const services = await admin.events.list({ kinds: ["serviceState"], text: "kubelet failed" });
    expect(services.events.length).toBeGreaterThan(0);
    expect(services.events.every((e) => e.kind === "serviceState" && /kubelet failed/i.test(e.message))).toBe(
      true,
    );

    const eu = await admin.events.list({ site: "eu", limit: 500 });
    expect(eu.events.length).toBeGreaterThan(0);
    expect(
      eu.events.every((e) => e.machine.site.startsWith("eu/") && e.cluster === sim.clusters[0]?.name),
    ).toBe(true);
    const byCluster = await admin.events.list({ cluster: sim.clusters[1]?.name, limit: 500 });
    expect(byCluster.events.every((e) => e.cluster === sim.clusters[1]?.name)).toBe(true);
    const worker = node(1, 2);
    const byMachine = await admin.events.list({ machine: worker.hostname.slice(-6), limit: 500 });
    expect(byMachine.events.length).toBeGreaterThan(0);
    expect(byMachine.events.every((e) => e.machine.hostname.includes(worker.hostname.slice(-6)))).toBe(true);
    const future = await admin.events.list({ from: new Date(Date.now() + 3_600_000) });
    expect(future.events).toEqual([]);
    await expect(admin.events.list({ from: new Date(), to: new Date(0) })).rejects.toThrow(
      "The time range ends before it starts.",
    );

    // A viewer of Danish sites sees only their events, in the search and in the follow.
    const dana = callerFor([{ role: "viewer", scope: "site:eu/*" }]);
    const seen = await dana.events.list({ limit: 500 });
    expect(seen.events.length).toBeGreaterThan(0);
    expect(seen.events.every((e) => e.machine.site.startsWith("eu/"))).toBe(true);
    expect((await dana.events.list({ site: "us", limit: 500 })).events).toEqual([]);
    const usMachine = await machineOf(worker.hostname);
    await expect(
      take(await dana.events.follow({ machineId: usMachine.id }), 1, 2_000, new AbortController()),
    ).rejects.toThrow("outside your scope");
  });

  it("follows new events of a machine and resumes after the last one without duplicates", async () => {
    const worker = node(0, 2);
    const m = await machineOf(worker.hostname);
    // The collector follows the machine once its history is stored.
    await eventually(async () => (await storedIds(m.id)).length > 10, 30_000, "history stored");
    const ctl = new AbortController();
    const stream = await callerFor(["viewer"], ctl.signal).events.follow({ machineId: m.id });
    const injected = Date.now();
    await injectFault(sim, worker.address, {
      kind: "service",
      service: "kubelet",
      mode: "flapping",
      periodMs: 10_000,
    });
    let firstTwo: EventView[];
    try {
      firstTwo = await take(stream, 2, 10_000, ctl);
    } finally {
      await clearFaults(sim, worker.address, "service");
    }
    const latency = Date.now() - injected;
    expect(firstTwo).toHaveLength(2);
    expect(firstTwo.every((e) => e.machine.id === m.id)).toBe(true);
    expect(latency).toBeLessThan(4_000);
    const [first, second] = firstTwo as [EventView, EventView];
    // Reconnecting with the last id received yields what came after it, and nothing twice.
    const ctl2 = new AbortController();
    const resumed = await take(
      await callerFor(["viewer"], ctl2.signal).events.follow({ machineId: m.id, lastEventId: first.id }),
      1,
      5_000,
      ctl2,
    );
    expect(resumed[0]?.id).toBe(second.id);
    // Each opened timeline is in the audit trail, the resumed one marked.
    const audited = await database.db.auditEntry.findMany({
      where: { action: "events.follow", target: `machine:${m.id}` },
      orderBy: { id: "asc" },
    });
    expect(audited.map((a) => (a.details as { resumed?: boolean }).resumed ?? false)).toEqual([false, true]);
  });

  it("prunes events older than the retention period", async () => {
    const { db } = database;
    const old = await db.machineEvent.findMany({ take: 5, orderBy: { id: "asc" }, select: { id: true } });
    await db.machineEvent.updateMany({
      where: { id: { in: old.map((o) => o.id) } },
      data: { receivedAt: new Date(Date.now() - 15 * 86_400_000) },
    });
    const total = await db.machineEvent.count();
    expect(await pruneEvents(db, { olderThanDays: 14 })).toEqual({ removed: 5 });
    expect(await db.machineEvent.count({ where: { id: { in: old.map((o) => o.id) } } })).toBe(0);
    expect(await db.machineEvent.count()).toBe(total - 5);
  });
});
