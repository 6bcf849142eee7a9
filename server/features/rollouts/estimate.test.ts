// The wave estimate: median per-machine time × the rounds the safety caps force.
import { describe, expect, it } from "vitest";
import { DEFAULT_SAFETY } from "../../model/rollout-safety";
import { DEFAULT_MACHINE_MINUTES, type EstimateMachine, estimateWave, median } from "./estimate";

const cluster = (name: string, site: string, controlPlanes: number, workers: number): EstimateMachine[] => [
  ...Array.from({ length: controlPlanes }, () => ({ site, cluster: name, role: "controlplane" as const })),
  ...Array.from({ length: workers }, () => ({ site, cluster: name, role: "worker" as const })),
];
const MIN = 60_000;

describe("estimateWave", () => {
  it("falls back to the default per-machine time when nothing was measured", () => {
    const e = estimateWave({ machines: cluster("c1", "eu/a", 0, 2), safety: DEFAULT_SAFETY, median: null });
    expect(e.measured).toBe(0);
    expect(e.perMachineMs).toBe(DEFAULT_MACHINE_MINUTES * MIN);
    // Two workers, two at a time: one round; the default bake follows.
    expect(e.rounds).toBe(1);
    expect(e.upgradeMs).toBe(DEFAULT_MACHINE_MINUTES * MIN);
    expect(e.totalMs).toBe((DEFAULT_MACHINE_MINUTES + DEFAULT_SAFETY.bakeMinutes) * MIN);
  });

  it("is bound by a cluster's chain: control planes one at a time, workers a few at a time", () => {
    const safety = { ...DEFAULT_SAFETY, bakeMinutes: 0 };
    const median = { ms: 4 * MIN, count: 12 };
    const cps = estimateWave({ machines: cluster("c1", "eu/a", 3, 2), safety, median });
    expect(cps.rounds).toBe(3);
    expect(cps.limitedBy).toEqual({ cluster: "c1", text: "cluster c1: 3 control planes, one at a time" });
    expect(cps.upgradeMs).toBe(12 * MIN);
    expect(cps.parallelism).toBeCloseTo(5 / 3);

    const workers = estimateWave({ machines: cluster("c1", "eu/a", 1, 9), safety, median });
    expect(workers.rounds).toBe(5);
    expect(workers.limitedBy.text).toBe("cluster c1: 9 workers, 2 at a time");
  });

  it("is bound by the site and fleet caps across many clusters", () => {
    const median = { ms: 5 * MIN, count: 3 };
    // 10 clusters of 2 workers at one site: the site's 5 at a time makes 4 rounds.
    const oneSite = Array.from({ length: 10 }, (_, i) => cluster(`c${i}`, "eu/a", 0, 2)).flat();
    const site = estimateWave({ machines: oneSite, safety: DEFAULT_SAFETY, median });
    expect(site.rounds).toBe(4);
    expect(site.limitedBy).toEqual({ site: "eu/a", text: "site eu/a: 20 machines, at most 5 at a time" });
    expect(site.parallelism).toBe(5);

    // 40 sites of 2 workers under a fleet-wide limit of 10: 8 rounds.
    const spread = Array.from({ length: 40 }, (_, i) => cluster(`c${i}`, `eu/s${i}`, 0, 2)).flat();
    const fleet = estimateWave({
      machines: spread,
      safety: { ...DEFAULT_SAFETY, fleetConcurrency: 10 },
      median,
    });
    expect(fleet.rounds).toBe(8);
    expect(fleet.limitedBy.text).toBe("80 machines, at most 10 at a time fleet-wide");
    expect(fleet.upgradeMs).toBe(40 * MIN);
  });

  it("takes the median of measured times", () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });
});
