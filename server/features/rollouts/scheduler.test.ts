import { describe, expect, it } from "vitest";
import { DEFAULT_SAFETY, type SafetySettings } from "../../model/rollout-safety";
import { testFleet } from "../../testing/rollout-machines";
import { type SchedulerCluster, type SchedulerInput, type SchedulerMachine, schedule } from "./scheduler";

function machinesOf(
  clusters: number,
  perCluster: number,
  sites: number,
  canPrePull = true,
): SchedulerMachine[] {
  return testFleet({ clusters, machinesPerCluster: perCluster, sites }).map((m) => ({
    id: m.id,
    hostname: m.hostname,
    cluster: m.cluster,
    site: m.site,
    role: m.role,
    phase: "pending",
    canPrePull,
  }));
}

function healthyClusters(machines: SchedulerMachine[]): Map<string, SchedulerCluster> {
  const out = new Map<string, SchedulerCluster>();
  for (const m of machines) {
    const c = out.get(m.cluster) ?? { name: m.cluster, etcdMembers: 0, etcdHealthy: 0, ready: true };
    if (m.role === "controlplane") {
      c.etcdMembers++;
      c.etcdHealthy++;
    }
    out.set(m.cluster, c);
  }
  return out;
}

function input(machines: SchedulerMachine[], over: Partial<SchedulerInput> = {}): SchedulerInput {
  return {
    now: 0,
    status: "running",
    safety: DEFAULT_SAFETY,
    wave: { index: 0, approved: true },
    machines,
    clusters: healthyClusters(machines),
    waveMachineIds: new Set(machines.map((m) => m.id)),
    ...over,
  };
}

/**
 * Runs a wave to its end on a fake clock: pulls take 20 s, upgrades 3 min; a control plane's etcd
 * member is down while it upgrades. Checks every cap after every decision.
 */
function simulate(machines: SchedulerMachine[], safety: SafetySettings, failIds = new Set<string>()) {
  let now = Date.parse("2026-11-24T21:30:00Z");
  const doneAt = new Map<string, number>();
  const clusters = healthyClusters(machines);
  const peaks = {
    pulls: 0,
    upgrades: 0,
    sitePulls: 0,
    siteUpgrades: 0,
    cpPerCluster: 0,
    workersPerCluster: 0,
  };
  const startedOutsideWindow: string[] = [];
  let wave = { index: 0, approved: true } as SchedulerInput["wave"];
  for (let step = 0; step < 20_000; step++) {
    // Finish what is due.
    for (const m of machines) {
      const due = doneAt.get(m.id);
      if (due === undefined || due > now) continue;
      doneAt.delete(m.id);
      if (m.phase === "pulling") m.phase = "pulled";
      else if (m.phase === "upgrading") {
        m.phase = failIds.has(m.id) ? "failed" : "done";
        if (m.role === "controlplane") (clusters.get(m.cluster) as SchedulerCluster).etcdHealthy++;
      }
    }
    const d = schedule(input(machines, { now, safety, wave, clusters }));
    for (const a of d.actions) {
      const m = machines.find((x) => x.id === a.machineId) as SchedulerMachine;
      if (a.kind === "pull") {
        m.phase = "pulling";
        m.inFlightSince = now;
        doneAt.set(m.id, now + 20_000);
      } else if (a.kind === "upgrade") {
        m.phase = "upgrading";
        m.inFlightSince = now;
        doneAt.set(m.id, now + 180_000);
        if (m.role === "controlplane") (clusters.get(m.cluster) as SchedulerCluster).etcdHealthy--;
      } else m.phase = "failed";
      if (a.kind !== "time-out" && safety.windows.length > 0) {
        const hour = new Date(now).getUTCHours();
        if (hour >= 3 && hour < 21) startedOutsideWindow.push(m.id);
      }
    }
    const count = (phase: string, key: (m: SchedulerMachine) => string) => {
      const c = new Map<string, number>();
      for (const m of machines) if (m.phase === phase) c.set(key(m), (c.get(key(m)) ?? 0) + 1);
      return Math.max(0, ...c.values());
    };
    peaks.pulls = Math.max(
      peaks.pulls,
      count("pulling", () => ""),
    );
    peaks.sitePulls = Math.max(
      peaks.sitePulls,
      count("pulling", (m) => m.site),
    );
    peaks.upgrades = Math.max(
      peaks.upgrades,
      count("upgrading", () => ""),
    );
    peaks.siteUpgrades = Math.max(
      peaks.siteUpgrades,
      count("upgrading", (m) => m.site),
    );
    peaks.cpPerCluster = Math.max(
      peaks.cpPerCluster,
      count("upgrading", (m) => (m.role === "controlplane" ? m.cluster : `w-${m.id}`)),
    );
    peaks.workersPerCluster = Math.max(
      peaks.workersPerCluster,
      count("upgrading", (m) => (m.role === "worker" ? m.cluster : `cp-${m.id}`)),
    );
    if (d.wave === "start-bake") wave = { ...wave, bakeStartedAt: now };
    if (d.wave === "baked" || d.wave === "budget-exceeded") return { d, now, peaks, startedOutsideWindow };
    const next = Math.min(now + 10_000, ...[...doneAt.values()], d.wakeAt ?? Number.POSITIVE_INFINITY);
    now = Math.max(next, now + 1);
  }
  throw new Error("the wave never finished");
}

describe("scheduler", () => {
  it("runs a wave to the end without ever exceeding a cap", () => {
    const machines = machinesOf(20, 8, 4);
    const safety = {
      ...DEFAULT_SAFETY,
      fleetPulls: 6,
      sitePulls: 2,
      fleetConcurrency: 10,
      siteConcurrency: 4,
    };
    const { d, peaks } = simulate(machines, safety);
    expect(d.wave).toBe("baked");
    expect(machines.every((m) => m.phase === "done")).toBe(true);
    expect(peaks).toEqual({
      pulls: 6,
      sitePulls: 2,
      upgrades: 10,
      siteUpgrades: 4,
      cpPerCluster: 1,
      workersPerCluster: 2,
    });
  });

  it("counts a legacy upgrade (which pulls before answering) against the pull caps", () => {
    const machines = machinesOf(4, 5, 1, false);
    const d = schedule(input(machines, { safety: { ...DEFAULT_SAFETY, sitePulls: 3, siteConcurrency: 10 } }));
    expect(d.actions.map((a) => a.kind)).toEqual(["upgrade", "upgrade", "upgrade"]);
    for (const a of d.actions) {
      const m = machines.find((x) => x.id === a.machineId) as SchedulerMachine;
      Object.assign(m, { phase: "upgrading", inFlightSince: 0, upgradePulling: true });
    }
    const next = schedule(
      input(machines, { safety: { ...DEFAULT_SAFETY, sitePulls: 3, siteConcurrency: 10 } }),
    );
    expect(next.actions).toEqual([]);
    expect(next.waits.map((w) => w.reason)).toContain("limit of 3 concurrent pulls at site eu/s000 reached");
  });

  it("upgrades a control plane only while etcd quorum would hold", () => {
    const machines = machinesOf(1, 3, 1).map((m) => ({ ...m, phase: "pulled" as const }));
    const clusters = new Map([["c0000", { name: "c0000", etcdMembers: 3, etcdHealthy: 2, ready: true }]]);
    const d = schedule(input(machines, { clusters }));
    expect(d.actions).toEqual([]);
    expect(d.waits).toEqual([
      {
        reason: "cluster c0000: etcd has 2 of 3 members healthy, so taking one down would lose quorum",
        machines: 3,
      },
    ]);
    clusters.set("c0000", { name: "c0000", etcdMembers: 3, etcdHealthy: 3, ready: true });
    expect(schedule(input(machines, { clusters })).actions).toEqual([
      { kind: "upgrade", machineId: "c0000-0" },
    ]);
  });

  it("upgrades a cluster's last API endpoint alone: nothing else of the cluster starts or is in flight meanwhile", () => {
    // Pulled ahead, so every machine is ready to upgrade; c0000-0 is the cluster's only endpoint.
    const machines = machinesOf(1, 5, 1).map((m) => ({
      ...m,
      phase: "pulled" as const,
      apiEndpoint: m.id === "c0000-0",
    }));
    const clusters = new Map([
      ["c0000", { name: "c0000", etcdMembers: 3, etcdHealthy: 3, ready: true, apiEndpointsUp: 1 }],
    ]);
    // The endpoint goes first (control planes lead) and alone.
    const first = schedule(input(machines, { clusters }));
    expect(first.actions).toEqual([{ kind: "upgrade", machineId: "c0000-0" }]);
    // While it upgrades (endpoint down), nothing else of its cluster starts, with the reason given.
    const during = machines.map((m) =>
      m.id === "c0000-0" ? { ...m, phase: "upgrading" as const, inFlightSince: 0 } : m,
    );
    const down = new Map([["c0000", { ...clusters.get("c0000"), apiEndpointsUp: 0 } as SchedulerCluster]]);
    const waiting = schedule(input(during, { clusters: down }));
    expect(waiting.actions).toEqual([]);
    expect(waiting.waits[0]?.reason).toMatch(/c0000: its API endpoints are upgrading/);
    // With a worker in flight, the endpoint waits for it.
    const workerBusy = machines.map((m) =>
      m.id === "c0000-4" ? { ...m, phase: "upgrading" as const, inFlightSince: 0 } : m,
    );
    const held = schedule(input(workerBusy, { clusters }));
    expect(held.actions.map((a) => a.machineId)).not.toContain("c0000-0");
    expect(held.waits.map((w) => w.reason)).toContain(
      "cluster c0000: c0000-cp-0 is its last API endpoint up, so it upgrades once the cluster's other machines in flight are done",
    );
    // A cluster reached through a VIP (apiEndpointsUp undefined) has no such limit.
    expect(schedule(input(workerBusy)).actions.map((a) => a.machineId)).toContain("c0000-0");
  });

  it("starts nothing outside the maintenance window and wakes when it opens", () => {
    const machines = machinesOf(2, 4, 1);
    const safety: SafetySettings = {
      ...DEFAULT_SAFETY,
      windows: [
        {
          site: "eu/*",
          timeZone: "UTC",
          days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
          start: "21:00",
          end: "03:00",
        },
      ],
    };
    const noon = Date.parse("2026-11-24T12:00:00Z");
    const d = schedule(input(machines, { now: noon, safety }));
    expect(d.actions).toEqual([]);
    expect(d.waits[0]?.reason).toBe("waiting for the maintenance window of eu/s000, opens Tue 21:00 UTC");
    // Each waiting machine says why, and until when.
    expect(d.holds.size).toBe(machines.length);
    for (const h of d.holds.values()) expect(h.until).toBe(Date.parse("2026-11-24T21:00:00Z"));
    expect(d.wakeAt).toBe(Date.parse("2026-11-24T21:00:00Z"));
    // 120 upgrades one at a time take 6 hours: the wave pauses at 03:00 and resumes the next evening.
    const run = simulate(machinesOf(12, 10, 3), { ...safety, fleetConcurrency: 1 });
    const { startedOutsideWindow, d: end } = run;
    expect(end.wave).toBe("baked");
    expect(run.now).toBeGreaterThan(Date.parse("2026-11-25T21:00:00Z"));
    expect(startedOutsideWindow).toEqual([]);
  });

  it("pauses when failures exceed the wave's budget", () => {
    const machines = machinesOf(2, 5, 1);
    const fail = new Set(["c0000-3", "c0001-3"]);
    const safety: SafetySettings = { ...DEFAULT_SAFETY, failureBudget: { kind: "count", value: 1 } };
    const { d } = simulate(machines, safety, fail);
    expect(d.wave).toBe("budget-exceeded");
    expect(d.failures).toBe(2);
    expect(d.allowance).toBe(1);
  });

  it("times a machine out, waits for approval, bakes, and checks cluster health before finishing", () => {
    const machines = machinesOf(1, 4, 1);
    expect(schedule(input(machines, { wave: { index: 1, approved: false } })).wave).toBe("awaiting-approval");
    expect(schedule(input(machines, { status: "paused" })).actions).toEqual([]);

    const stuck = machines.map((m, i) => ({
      ...m,
      phase: i === 0 ? ("upgrading" as const) : ("done" as const),
      inFlightSince: 0,
    }));
    const late = schedule(input(stuck, { now: 30 * 60_000 }));
    expect(late.actions).toEqual([
      { kind: "time-out", machineId: "c0000-0", reason: "not done after 30 minutes (upgrading)" },
    ]);

    const done = machines.map((m) => ({ ...m, phase: "done" as const }));
    expect(schedule(input(done)).wave).toBe("start-bake");
    // Paused or aborting, a finished wave neither bakes nor finishes: that waits for a resume (or the abort).
    expect(schedule(input(done, { status: "paused" })).wave).toBe("idle");
    expect(schedule(input(done, { status: "aborting" })).wave).toBe("idle");
    const baking = schedule(
      input(done, { now: 60_000, wave: { index: 0, approved: true, bakeStartedAt: 0 } }),
    );
    expect(baking.wave).toBe("baking");
    expect(baking.wakeAt).toBe(30 * 60_000);
    const sick = new Map([
      [
        "c0000",
        {
          name: "c0000",
          etcdMembers: 3,
          etcdHealthy: 3,
          ready: false,
          reason: "kubelet failed on c0000-w-3",
        },
      ],
    ]);
    const after = schedule(
      input(done, { now: 31 * 60_000, wave: { index: 0, approved: true, bakeStartedAt: 0 }, clusters: sick }),
    );
    expect(after.wave).toBe("baking");
    expect(after.waits[0]?.reason).toBe("cluster c0000 is not healthy: kubelet failed on c0000-w-3");
    expect(
      schedule(input(done, { now: 31 * 60_000, wave: { index: 0, approved: true, bakeStartedAt: 0 } })).wave,
    ).toBe("baked");
  });
});
