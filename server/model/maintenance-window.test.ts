// Maintenance windows against the simulator, on the reconciler's injected clock (no waiting for hours):
// while a site's window is closed nothing starts on its machines (neither pulls nor upgrades), while
// another site without a window goes ahead; when the window opens they start; when it closes, the
// machine in flight finishes and nothing else starts until it opens again the next night.
import { afterAll, beforeAll, expect, it } from "vitest";
import { RolloutReconciler } from "../features/rollouts/reconciler/reconciler";
import { eventually } from "../testing/collector-fleet";
import { principalWith } from "../testing/principals";
import {
  approveWave,
  callerFor,
  morePasses,
  phasesOf,
  type RolloutTestFleet,
  rolloutOf,
  simNode,
  startRolloutTestFleet,
  testLog,
  testSafety,
  upgradesInEffect,
  waitForStatus,
} from "../testing/rollout-fleet";

const alice = principalWith("alice", "operator");
const bob = principalWith("bob", "approver");
const TARGET = "v1.14.0-rc.1";
const AARHUS = ["dev-ams-1-w-1", "dev-ams-1-w-2", "dev-ams-1-w-3"];
const NEW_YORK = ["dev-ams-1-w-4", "dev-ams-1-w-5"];

let fleet: RolloutTestFleet;
beforeAll(async () => {
  fleet = await startRolloutTestFleet({
    clusters: 1,
    nodesPerCluster: 8,
    timeScale: 60,
    users: [alice, bob],
  });
}, 90_000);
afterAll(() => fleet?.stop());

it("starts nothing on a site outside its window, starts when it opens, lets the machine in flight finish when it closes", {
  timeout: 120_000,
}, async () => {
  const db = fleet.database.db;
  for (const [site, hosts] of [
    ["eu/dk/aarhus", AARHUS],
    ["us/ny/nyc", NEW_YORK],
  ] as const) {
    await db.machine.updateMany({ where: { hostname: { in: [...hosts] } }, data: { site } });
  }
  const machines = await db.machine.findMany({ where: { hostname: { in: [...AARHUS, ...NEW_YORK] } } });
  // 02:00–04:00 in Copenhagen, every day: 01:00–03:00 UTC in January. New York has no window.
  const windows = [
    {
      site: "eu/dk/*",
      timeZone: "Europe/Copenhagen",
      days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as ("mon" | "tue")[],
      start: "02:00",
      end: "04:00",
    },
  ];
  const { id } = await callerFor(fleet, alice).rollouts.create(
    rolloutOf(
      machines.map((m) => m.id),
      TARGET,
      {
        safety: testSafety({
          windows,
          siteConcurrency: 2,
          sitePulls: 1,
          // Longer than the clock jumps below, so no machine in flight times out.
          machineTimeoutMinutes: 24 * 60,
        }),
      },
    ),
  );
  await approveWave(fleet, bob, id, 0);

  let clock = Date.parse("2026-01-15T00:00:00Z"); // 01:00 in Copenhagen: closed
  let setAt = Date.now();
  const setClock = (iso: string) => {
    clock = Date.parse(iso);
    setAt = Date.now();
  };
  const reconciler = new RolloutReconciler({
    db,
    log: testLog,
    secretKey: fleet.secretKey,
    leaseMs: 5_000,
    passMs: 200,
    followMs: 200,
    now: () => clock + (Date.now() - setAt),
  }).start();
  const phase = async (hostname: string) => (await phasesOf(fleet, id)).get(hostname)?.phase;
  const upgradeRequests = async (hostname: string) =>
    (await simNode(fleet.sim, hostname)).upgradeCalls.length;
  try {
    // Closed in Aarhus: New York (no window) upgrades, Aarhus does not even pull.
    await eventually(
      async () => (await Promise.all(NEW_YORK.map(phase))).every((p) => p === "done"),
      60_000,
      "New York done",
    );
    await morePasses(reconciler, 3);
    for (const h of AARHUS) {
      expect(await phase(h)).toBe("pending");
      expect(await upgradeRequests(h)).toBe(0);
    }

    // 02:00 in Copenhagen: the window opens (one pull at a time at the site).
    setClock("2026-01-15T01:00:00Z");
    const first = await eventually(
      async () => {
        for (const h of AARHUS) if ((await phase(h)) === "upgrading") return h;
      },
      60_000,
      "an Aarhus machine upgrading",
    );
    // 04:00: the window closes while it is in flight.
    setClock("2026-01-15T03:00:00Z");
    const upgrading = new Set(
      (await Promise.all(AARHUS.map(async (h) => [h, await phase(h)] as const)))
        .filter(([, p]) => p === "upgrading")
        .map(([h]) => h),
    );
    await eventually(async () => (await phase(first)) === "done", 60_000, `${first} done`);
    const others = AARHUS.filter((h) => !upgrading.has(h));
    expect(others.length).toBeGreaterThanOrEqual(1);
    await eventually(
      async () => (await Promise.all(AARHUS.map(phase))).every((p) => p !== "pulling" && p !== "upgrading"),
      30_000,
      "nothing in flight",
    );
    for (const h of upgrading) expect(await phase(h)).toBe("done");
    await morePasses(reconciler, 3);
    for (const h of others) {
      expect(["pending", "pulled"]).toContain(await phase(h));
      expect(await upgradeRequests(h)).toBe(0);
    }
    expect((await db.rollout.findUniqueOrThrow({ where: { id } })).status).toBe("running");

    // The next night it opens again: the rest go, and the rollout completes.
    setClock("2026-01-16T01:00:00Z");
    await waitForStatus(fleet, id, "completed", 60_000);
    for (const h of [...AARHUS, ...NEW_YORK]) {
      const node = await simNode(fleet.sim, h);
      expect(node.talosVersion).toBe(TARGET);
      expect(upgradesInEffect(node)).toBe(1);
    }
    // Stamped on the injected clock: the last Aarhus machines finished the next night.
    const rows = await phasesOf(fleet, id);
    for (const h of others) {
      expect(rows.get(h)?.finishedAt?.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-01-16T01:00:00Z"));
    }
  } finally {
    await reconciler.stop();
  }
});
