// Machines for planner and scheduler tests and the planning benchmark: clusters of 3 control
// planes and N-3 workers, spread over sites, on mixed versions.
import type { PlanMachine } from "../features/rollouts/plan";

export interface FleetShape {
  clusters: number;
  machinesPerCluster: number;
  /** Sites the clusters are spread over (round robin). */
  sites?: number;
  version?: (cluster: number, machine: number) => string;
}

export function testFleet(shape: FleetShape): PlanMachine[] {
  const sites = shape.sites ?? Math.max(1, Math.ceil(shape.clusters / 2));
  const out: PlanMachine[] = [];
  for (let c = 0; c < shape.clusters; c++) {
    const cluster = `c${String(c).padStart(4, "0")}`;
    const site = `eu/s${String(c % sites).padStart(3, "0")}`;
    for (let i = 0; i < shape.machinesPerCluster; i++) {
      const role = i < Math.min(3, shape.machinesPerCluster) ? "controlplane" : "worker";
      out.push({
        id: `${cluster}-${i}`,
        hostname: `${cluster}-${role === "controlplane" ? "cp" : "w"}-${i}`,
        cluster,
        site,
        role,
        health: "healthy",
        reachable: true,
        version: shape.version?.(c, i) ?? "v1.13.9",
        kubernetes: "v1.36.2",
        stage: "running",
        labels: { tier: i % 2 === 0 ? "even" : "odd" },
      });
    }
  }
  return out;
}
