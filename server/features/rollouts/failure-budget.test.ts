// A wave's failure budget against the simulator: upgrades made to fail on some machines (the simulator's
// upgrade-fail fault, reported as real Talos reports it: the installer exits 1 on the LifecycleService
// path, the upgrade sequence fails on the legacy path and the machine reboots its old version). One
// failure more than the budget (a count, or a percent of the wave) pauses the rollout and says so in
// its status and announcement; nothing new starts while paused; a failed machine retried is upgraded
// in a new attempt, a skipped one is left alone; resumed, the rollout completes.
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, injectFault } from "../../testing/collector-fleet";
import { principalWith } from "../../testing/principals";
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
} from "../../testing/rollout-fleet";
import { RolloutReconciler } from "./reconciler/reconciler";

const alice = principalWith("alice", "operator");
const bob = principalWith("bob", "approver");

let fleet: RolloutTestFleet;
beforeAll(async () => {
  // dev-ams-1: workers on v1.13.2 (LifecycleService path); edge-sfo-2: workers on v1.11.6 (legacy path).
  fleet = await startRolloutTestFleet({
    clusters: 3,
    nodesPerCluster: 8,
    timeScale: 30,
    users: [alice, bob],
  });
}, 90_000);
afterAll(() => fleet?.stop());

const inFlight = (phase: string) => phase === "pulling" || phase === "upgrading";

it("pauses a rollout whose wave exceeds its failure budget (count or percent), announces it, and completes after a retry and a skip", {
  timeout: 150_000,
}, async () => {
  const db = fleet.database.db;
  // (lab-sin-3 has a worker that is never ready: the scheduler holds the whole cluster, so it is not used.)
  const workers = (hostnames: string[]) =>
    eventually(
      async () => {
        const rows = await db.machine.findMany({
          where: { hostname: { in: hostnames }, health: { in: ["healthy", "degraded"] } },
          orderBy: { hostname: "asc" },
        });
        return rows.length === hostnames.length ? rows : undefined;
      },
      30_000,
      `${hostnames.join(", ")} healthy`,
    );
  const modern = await workers([1, 2, 3, 4, 5].map((i) => `dev-ams-1-w-${i}`));
  const legacy = await workers([1, 2, 3, 4, 5].map((i) => `edge-sfo-2-w-${i}`));
  for (const w of [...modern.slice(0, 2), ...legacy.slice(0, 2)]) {
    await injectFault(fleet.sim, w.hostname, { kind: "upgrade-fail", phase: "upgrade" });
  }

  const as = (p: typeof alice) => callerFor(fleet, p).rollouts;
  // A: budget of 1 failure (count); B: 25 % of a wave of 5, rounded down: 1 failure.
  const a = await as(alice).create(
    rolloutOf(
      modern.map((m) => m.id),
      "v1.14.0-rc.1",
      { name: "count budget", safety: testSafety({ failureBudget: { kind: "count", value: 1 } }) },
    ),
  );
  const b = await as(alice).create(
    rolloutOf(
      legacy.map((m) => m.id),
      "v1.12.11",
      { name: "percent budget", safety: testSafety({ failureBudget: { kind: "percent", value: 25 } }) },
    ),
  );
  await approveWave(fleet, bob, a.id, 0);
  await approveWave(fleet, bob, b.id, 0);

  const announced: string[] = [];
  const reconciler = new RolloutReconciler({
    db,
    log: testLog,
    secretKey: fleet.secretKey,
    leaseMs: 5_000,
    passMs: 200,
    followMs: 200,
    notify: (text) => announced.push(text),
  }).start();
  try {
    await waitForStatus(fleet, a.id, "paused", 90_000);
    await waitForStatus(fleet, b.id, "paused", 90_000);
    const ra = await db.rollout.findUniqueOrThrow({ where: { id: a.id } });
    const rb = await db.rollout.findUniqueOrThrow({ where: { id: b.id } });
    expect(ra.statusReason).toBe("Wave 1 (100 %): 2 machines failed, more than its failure budget of 1");
    expect(rb.statusReason).toBe("Wave 1 (100 %): 2 machines failed, more than its failure budget of 1");
    expect(announced).toContain(
      `Rollout "count budget" to v1.14.0-rc.1 paused: Wave 1 (100 %) has 2 machines failed (${modern[0]?.hostname}, ${modern[1]?.hostname}), more than its failure budget of 1. Retry or skip them, then resume.`,
    );
    expect(
      announced.some((t) =>
        t.startsWith('Rollout "percent budget" to v1.12.11 paused: Wave 1 (100 %) has 2'),
      ),
    ).toBe(true);

    // How each failed, in Talos's words.
    let pa = await phasesOf(fleet, a.id);
    let pb = await phasesOf(fleet, b.id);
    expect(pa.get(modern[0]?.hostname as string)?.error).toMatch(/the installer exited with code 1/);
    // machined publishes the failed sequence just before the machine reboots; a client that loses that
    // event in the disconnect sees the machine come back on its old version instead.
    expect(pb.get(legacy[0]?.hostname as string)?.error).toMatch(
      /sequence failed: error running phase \d+ in upgrade sequence: task 1\/1: failed, failed to run installer: exit status 1|rebooted but runs v1\.11\.6, not v1\.12\.11/,
    );
    expect((await simNode(fleet.sim, legacy[0]?.hostname as string)).upgradeCalls).toMatchObject([
      { api: "MachineService.Upgrade", outcome: "failed" },
    ]);
    // The legacy machines that failed rebooted, and run their old version.
    for (const w of legacy.slice(0, 2)) {
      await eventually(
        async () => (await simNode(fleet.sim, w.hostname)).stage === "RUNNING",
        30_000,
        `${w.hostname} back`,
      );
      expect((await simNode(fleet.sim, w.hostname)).talosVersion).toBe("v1.11.6");
    }

    // Paused: what was in flight finishes, then nothing starts.
    await eventually(
      async () => {
        pa = await phasesOf(fleet, a.id);
        pb = await phasesOf(fleet, b.id);
        return ![...pa.values(), ...pb.values()].some((m) => inFlight(m.phase));
      },
      60_000,
      "nothing in flight",
    );
    const waiting = [...pa.values(), ...pb.values()].filter(
      (m) => m.phase === "pending" || m.phase === "pulled",
    );
    const callsBefore = new Map(
      await Promise.all(
        waiting.map(
          async (m) =>
            [m.machine.hostname, (await simNode(fleet.sim, m.machine.hostname)).upgradeCalls.length] as const,
        ),
      ),
    );
    await morePasses(reconciler, 3);
    for (const m of waiting) {
      expect((await phasesOf(fleet, m.rolloutId)).get(m.machine.hostname)?.phase).toBe(m.phase);
      expect((await simNode(fleet.sim, m.machine.hostname)).upgradeCalls.length).toBe(
        callsBefore.get(m.machine.hostname),
      );
    }
    // Resuming while the budget is still exceeded would pause again at once: refused.
    await expect(as(alice).control({ id: a.id, control: "resume" })).rejects.toThrow(
      "Wave 1 (100 %) still has 2 failed machines, more than its failure budget of 1, so it would pause again at once. Retry or skip failed machines first.",
    );

    // A: retry the first failure (a new attempt; the fault was one-shot), skip the second, resume.
    const [retried, skipped] = [modern[0], modern[1]] as [(typeof modern)[0], (typeof modern)[0]];
    await expect(
      as(alice).machine({ id: a.id, machineId: modern[4]?.id as string, control: "retry" }),
    ).rejects.toThrow(/Only a failed machine can be retried; this one is (pending|pulled|done)\./);
    await as(alice).machine({ id: a.id, machineId: retried.id, control: "retry" });
    await as(alice).machine({ id: a.id, machineId: skipped.id, control: "skip" });
    await as(alice).control({ id: a.id, control: "resume" });
    // B: abort (nothing is in flight, so it ends at once).
    await as(alice).control({ id: b.id, control: "abort" });

    await waitForStatus(fleet, a.id, "completed", 90_000);
    await waitForStatus(fleet, b.id, "aborted", 30_000);
    pa = await phasesOf(fleet, a.id);
    expect(pa.get(retried.hostname)).toMatchObject({ phase: "done", attempt: 2 });
    expect(pa.get(skipped.hostname)).toMatchObject({ phase: "skipped", attempt: 1 });
    for (const m of modern.slice(2)) expect(pa.get(m.hostname)).toMatchObject({ phase: "done", attempt: 1 });

    // The machines' own records: the retried one failed once, then took one upgrade; the skipped one
    // kept its old version after its one failed request; the others took exactly one.
    const r1 = await simNode(fleet.sim, retried.hostname);
    expect(r1.upgradeCalls.map((c) => c.outcome)).toEqual(["failed", "booted"]);
    expect(r1.talosVersion).toBe("v1.14.0-rc.1");
    const s1 = await simNode(fleet.sim, skipped.hostname);
    expect(s1.upgradeCalls.map((c) => c.outcome)).toEqual(["failed"]);
    expect(s1.talosVersion).toBe("v1.13.2");
    for (const m of modern.slice(2)) expect(upgradesInEffect(await simNode(fleet.sim, m.hostname))).toBe(1);
    expect(announced).toContain(
      'Rollout "count budget" completed: 4 of 5 machines on v1.14.0-rc.1 (4 done, 1 skipped).',
    );

    const audit = await db.auditEntry.findMany({
      where: { action: { in: ["rollouts.machine", "rollouts.control"] } },
      orderBy: { id: "asc" },
    });
    expect(audit.map((e) => `${e.action} ${e.result} ${JSON.stringify(e.details)}`)).toEqual([
      expect.stringMatching(/^rollouts.control error .*"control":"resume"/),
      expect.stringMatching(/^rollouts.machine error .*"control":"retry"/),
      expect.stringMatching(/^rollouts.machine ok .*"control":"retry"/),
      expect.stringMatching(/^rollouts.machine ok .*"control":"skip"/),
      expect.stringMatching(/^rollouts.control ok .*"control":"resume"/),
      expect.stringMatching(/^rollouts.control ok .*"control":"abort"/),
    ]);
  } finally {
    await reconciler.stop();
  }
});
