// Rollouts: planning a 10,000-machine rollout (1,000 clusters of 10 over 300 sites, a canary per site,
// then waves by percentage and selector), one scheduler pass over a 10,000-machine wave, and a 1,000-machine
// rollout run end to end on the simulator (bench/rollouts/run-rollout.ts; BENCH_ROLLOUT_RUN=0 skips it).
import { planRollout, wavePlanSchema } from "../../server/features/rollouts/plan";
import { type SchedulerCluster, schedule } from "../../server/features/rollouts/scheduler";
import { DEFAULT_SAFETY } from "../../server/model/rollout-safety";
import { testFleet } from "../../server/testing/rollout-machines";
import { runRollout } from "../rollouts/run-rollout";
import type { BenchMetric, BenchSuite } from "../suite";

const RUNS = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const suite: BenchSuite = {
  name: "rollouts",
  description:
    "plan a 10,000-machine rollout; one scheduler pass over a 10,000-machine wave; run a 1,000-machine rollout on the simulator",
  async run(): Promise<BenchMetric[]> {
    const machines = testFleet({
      clusters: 1000,
      machinesPerCluster: 10,
      sites: 300,
      version: (c, i) => (c % 50 === 0 && i === 9 ? "v1.14.0" : c % 97 === 0 ? "v1.12.4" : "v1.13.9"),
    });
    const wavePlan = wavePlanSchema.parse({
      canary: { kind: "per-site", count: 1 },
      waves: [
        { kind: "percent", percent: 5 },
        { kind: "selector", selector: "site in (eu/s1*),tier=even" },
        { kind: "percent", percent: 45 },
      ],
    });
    const planTimes: number[] = [];
    let plan = planRollout({ machines, targetVersion: "v1.14.0", wavePlan, safety: DEFAULT_SAFETY });
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      plan = planRollout({ machines, targetVersion: "v1.14.0", wavePlan, safety: DEFAULT_SAFETY });
      planTimes.push(performance.now() - t);
    }
    console.log(
      `  plan: ${plan.planned} planned in ${plan.waves.length} waves, ${plan.excluded.length} excluded; median ${median(planTimes).toFixed(1)} ms`,
    );

    const wave = machines.map((m) => ({ ...m, phase: "pending" as const, canPrePull: true }));
    const clusters = new Map<string, SchedulerCluster>();
    for (const m of machines)
      clusters.set(m.cluster, { name: m.cluster, etcdMembers: 3, etcdHealthy: 3, ready: true });
    const decideTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      schedule({
        now: Date.now(),
        status: "running",
        safety: { ...DEFAULT_SAFETY, fleetPulls: 200, sitePulls: 5 },
        wave: { index: 0, approved: true },
        machines: wave,
        clusters,
        waveMachineIds: new Set(wave.map((m) => m.id)),
      });
      decideTimes.push(performance.now() - t);
    }
    const params = { machines: machines.length, clusters: 1000, sites: 300, runs: RUNS };
    const run = process.env.BENCH_ROLLOUT_RUN === "0" ? [] : await runRollout();
    return [
      ...run,
      { name: "rollouts.plan_10k_ms", value: Number(median(planTimes).toFixed(1)), unit: "ms", params },
      {
        name: "rollouts.schedule_pass_10k_ms",
        value: Number(median(decideTimes).toFixed(1)),
        unit: "ms",
        params,
      },
    ];
  },
};

export default suite;
