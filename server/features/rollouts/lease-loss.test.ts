// An instance that loses its rollout lease without dying: its connection to Postgres freezes mid-wave
// (a database hiccup, a partition). It cannot renew, so within the lease it stops acting on the rollout:
// its machine tasks are aborted and it logs so. Another instance takes the lease over and completes the
// rollout. When the connection thaws, the first one's stale queries run and it still does nothing: by
// the simulator's own records, every machine was upgraded exactly once.
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb } from "../../platform/db/client";
import { eventually } from "../../testing/collector-fleet";
import { type FreezableProxy, startFreezableProxy } from "../../testing/freezable-proxy";
import { principalWith } from "../../testing/principals";
import { holderOf, holderWhen, startWorkerRollout } from "../../testing/reconciler-process";
import {
  expectUpgradedOnce,
  morePasses,
  type RolloutTestFleet,
  startRolloutTestFleet,
  testLog,
  waitForStatus,
} from "../../testing/rollout-fleet";
import { RolloutReconciler } from "./reconciler/reconciler";

const operator = principalWith("alice", "operator");
const approver = principalWith("bob", "approver");
const TARGET = "v1.14.0-rc.1";
const LEASE_MS = 3_000;

let fleet: RolloutTestFleet;
let proxy: FreezableProxy;
beforeAll(async () => {
  fleet = await startRolloutTestFleet({
    clusters: 1,
    nodesPerCluster: 8,
    timeScale: 30,
    users: [operator, approver],
  });
  const url = new URL(fleet.database.url);
  proxy = await startFreezableProxy({ host: url.hostname, port: Number(url.port || 5432) });
}, 90_000);
afterAll(async () => {
  await proxy?.close();
  await fleet?.stop();
});

it("stops acting on a rollout as soon as it cannot prove it holds the lease, and the other instance completes it", {
  timeout: 120_000,
}, async () => {
  // Instance a reaches Postgres through the proxy; b directly.
  const url = new URL(fleet.database.url);
  url.hostname = "127.0.0.1";
  url.port = String(proxy.port);
  const dbA = createDb(url.toString());
  const logs: { msg: string; reason?: string }[] = [];
  const logA = pino({ level: "warn" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const timings = {
    leaseMs: LEASE_MS,
    passMs: 200,
    followMs: 200,
    settleMs: 2_000,
    secretKey: fleet.secretKey,
  };
  const a = new RolloutReconciler({ db: dbA, log: logA, instanceId: "a", ...timings }).start();
  let b: RolloutReconciler | undefined;
  try {
    const hostnames = [1, 2, 3, 4, 5].map((i) => `dev-ams-1-w-${i}`);
    const { id, bootsBefore } = await startWorkerRollout(fleet, { operator, approver }, hostnames, TARGET);
    // Mid-wave, a holding it with an upgrade under way.
    await holderWhen(fleet, id, (ms) => ms.some((m) => m.phase === "upgrading"), "an upgrade under way");
    expect(await holderOf(fleet, id)).toBe("a");
    expect(a.activeTasks).toBeGreaterThan(0);
    b = new RolloutReconciler({ db: fleet.database.db, log: testLog, instanceId: "b", ...timings }).start();

    // a's database stops answering.
    proxy.freeze();
    const frozenAt = Date.now();
    await eventually(
      async () => a.activeTasks === 0 && a.held().length === 0,
      20_000,
      "a stopping its tasks",
    );
    // Within the lease: a counts it as held for 4/5 of it after its last renewal was sent.
    expect(Date.now() - frozenAt).toBeLessThan(LEASE_MS);
    expect(logs.map((l) => l.msg)).toContain(
      "rollout lease lost: this instance stopped acting on the rollout",
    );
    expect(logs.find((l) => l.msg.startsWith("rollout lease lost"))?.reason).toBe(
      "it was not renewed in time",
    );

    await eventually(async () => (await holderOf(fleet, id)) === "b", 20_000, "b taking over");
    // Thawed mid-rollout: a's stale renewal is refused, its stale writes find the lease taken.
    proxy.thaw();
    await morePasses(a, 3);
    expect(a.held()).toEqual([]);
    expect(a.activeTasks).toBe(0);

    await waitForStatus(fleet, id, "completed", 90_000);
    expect(await holderOf(fleet, id)).toBe("b");
    await expectUpgradedOnce(fleet, id, bootsBefore, TARGET);
  } finally {
    proxy.thaw();
    await b?.stop();
    await a.stop();
    await dbA.$disconnect();
  }
});
