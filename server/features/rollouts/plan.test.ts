import { describe, expect, it } from "vitest";
import { DEFAULT_SAFETY } from "../../model/rollout-safety";
import { testFleet } from "../../testing/rollout-machines";
import { type PlanInput, planRollout, wavePlanSchema } from "./plan";

const base = (over: Partial<PlanInput> = {}): PlanInput => ({
  machines: testFleet({ clusters: 4, machinesPerCluster: 6, sites: 2 }),
  targetVersion: "v1.14.0",
  wavePlan: wavePlanSchema.parse({}),
  safety: DEFAULT_SAFETY,
  ...over,
});

describe("planRollout", () => {
  it("puts every upgradable machine in exactly one wave and lists the rest with reasons", () => {
    const machines = testFleet({
      clusters: 4,
      machinesPerCluster: 6,
      sites: 2,
      version: (c, i) => (c === 0 && i === 4 ? "v1.14.0" : c === 1 && i === 5 ? "v1.12.4" : "v1.13.9"),
    });
    const m = (id: string) => machines.find((x) => x.id === id);
    Object.assign(m("c0002-3") ?? {}, { health: "unhealthy" });
    Object.assign(m("c0002-4") ?? {}, { reachable: false, health: "unreachable" });
    const plan = planRollout(
      base({
        machines,
        locks: { machines: new Map([["c0003-5", "disk replacement"]]), clusters: new Map() },
        wavePlan: wavePlanSchema.parse({
          canary: { kind: "per-site", count: 1 },
          waves: [{ kind: "percent", percent: 50 }],
        }),
      }),
    );
    const ids = plan.waves.flatMap((w) => w.machineIds);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length + plan.excluded.length).toBe(24);
    expect(plan.excluded.map((e) => [e.machineId, e.kind])).toEqual([
      ["c0003-5", "locked"],
      ["c0000-4", "on-target"],
      ["c0002-3", "unhealthy"],
      ["c0002-4", "unreachable"],
      ["c0001-5", "unsupported-path"],
    ]);
    expect(plan.excluded.find((e) => e.kind === "unsupported-path")?.reason).toMatch(/skips v1\.13/);
    expect(plan.excluded.find((e) => e.kind === "locked")?.reason).toBe("machine locked: disk replacement");
    // Canary: one machine per site, a worker.
    expect(plan.waves[0]?.name).toBe("Canary");
    expect(plan.waves[0]?.sites).toEqual(["eu/s000", "eu/s001"]);
    expect(plan.waves[0]?.controlPlanes).toBe(0);
    // 50 % of the 17 left, rounded up; the rest gets a last wave.
    expect(plan.waves.map((w) => w.machineIds.length)).toEqual([2, 9, 8]);
    expect(plan.waves[2]?.name).toBe("Remaining machines");
    expect(plan.warnings.join(" ")).toMatch(/8 machines no wave took/);
  });

  it("locks a whole cluster", () => {
    const plan = planRollout(
      base({ locks: { machines: new Map(), clusters: new Map([["c0001", "black friday"]]) } }),
    );
    expect(plan.excludedByKind.locked).toBe(6);
    expect(plan.waves.flatMap((w) => w.clusters)).not.toContain("c0001");
  });

  it("takes named canary machines and selector waves", () => {
    const plan = planRollout(
      base({
        wavePlan: wavePlanSchema.parse({
          canary: { kind: "machines", machineIds: ["c0002-4", "nope"] },
          waves: [
            { kind: "selector", selector: "cluster=c0000" },
            { kind: "selector", selector: "role=worker" },
          ],
        }),
      }),
    );
    expect(plan.waves[0]?.machineIds).toEqual(["c0002-4"]);
    expect(plan.warnings[0]).toMatch(/1 of the 2 named canary machines/);
    expect(plan.waves[1]?.clusters).toEqual(["c0000"]);
    expect(plan.waves[1]?.machineIds).toHaveLength(6);
    // Control planes first within a cluster.
    expect(plan.waves[1]?.machineIds.slice(0, 3)).toEqual(["c0000-0", "c0000-1", "c0000-2"]);
    expect(plan.waves[2]?.controlPlanes).toBe(0);
    expect(plan.waves[2]?.machineIds).toHaveLength(8);
    expect(plan.waves[3]?.controlPlanes).toBe(9);
  });

  it("rejects a bad selector naming the wave", () => {
    expect(() =>
      planRollout(
        base({ wavePlan: wavePlanSchema.parse({ waves: [{ kind: "selector", selector: "a=(" }] }) }),
      ),
    ).toThrow(/Wave 1: The selector is not valid/);
  });

  it("leaves out the only control plane of a cluster unless allowed", () => {
    const machines = testFleet({ clusters: 2, machinesPerCluster: 1 });
    expect(planRollout(base({ machines })).excludedByKind["single-etcd"]).toBe(2);
    const allowed = planRollout(
      base({ machines, safety: { ...DEFAULT_SAFETY, allowSingleControlPlane: true } }),
    );
    expect(allowed.planned).toBe(2);
  });

  it("warns about sites no maintenance window covers", () => {
    const plan = planRollout(
      base({
        safety: {
          ...DEFAULT_SAFETY,
          windows: [
            { site: "eu/s000", timeZone: "Europe/Copenhagen", days: ["sat"], start: "01:00", end: "05:00" },
          ],
        },
      }),
    );
    expect(plan.warnings.join(" ")).toMatch(/No maintenance window covers 1 site \(eu\/s001\)/);
  });

  it("plans 10,000 machines quickly", () => {
    const machines = testFleet({ clusters: 1000, machinesPerCluster: 10, sites: 300 });
    const started = performance.now();
    const plan = planRollout(
      base({
        machines,
        wavePlan: wavePlanSchema.parse({
          canary: { kind: "per-site", count: 1 },
          waves: [
            { kind: "percent", percent: 10 },
            { kind: "selector", selector: "site in (eu/s1*)" },
            { kind: "percent", percent: 40 },
          ],
        }),
      }),
    );
    const ms = performance.now() - started;
    expect(plan.planned).toBe(10_000);
    expect(plan.waves.reduce((n, w) => n + w.machineIds.length, 0)).toBe(10_000);
    expect(ms).toBeLessThan(1_000);
  });
});
