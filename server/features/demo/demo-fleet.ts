// The demo fleet: with an empty inventory (and MINOS_DEMO not 0), Minos starts the bundled Talos
// simulator in-process and imports its fleet, so the run command shows a live fleet at once. The
// simulator keeps its CA and port in the data directory, so the demo comes back on every start.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { RunningSimulator } from "@/sim";
import { buildFleetSpec, startSimulator } from "@/sim";
import { recordAudit } from "../../access/audit/record-audit";
import type { PrismaClient } from "../../platform/db/client";
import { importFleet } from "../inventory/import-fleet";
import { saveDemoBaselines } from "./demo-baselines";
import { demoDriftFaults } from "./demo-drift";
import { demoPlacement } from "./demo-sites";

// A seed whose fleet spans six regions and seven Talos versions, with one machine in trouble of its own.
export const DEMO_SEED = "minos-demo-2";
export const DEMO_CLUSTERS = 6;
export const DEMO_NODES_PER_CLUSTER = 6;

const KEY = Symbol.for("minos.demo");
type Holder = { [KEY]?: boolean };

/** Whether this instance serves the simulated demo fleet (for the banner). */
export function isDemoFleet(): boolean {
  return (globalThis as Holder)[KEY] === true;
}

function demoSpec(): ReturnType<typeof buildFleetSpec> {
  return buildFleetSpec({
    seed: DEMO_SEED,
    clusters: DEMO_CLUSTERS,
    nodesPerCluster: DEMO_NODES_PER_CLUSTER,
  });
}

function demoTroubleMachine(): string {
  const spec = demoSpec();
  const worker = spec.clusters[1]?.nodes.find((n) => n.role === "worker");
  if (!worker) throw new Error("the demo fleet has no worker to show a failure on");
  return worker.hostname;
}

export async function startDemoFleet(
  db: PrismaClient,
  opts: { dataDir: string; log: Logger },
): Promise<RunningSimulator | null> {
  const stateDir = path.join(opts.dataDir, "demo-simulator");
  const portFile = path.join(stateDir, "port");
  // The Kubernetes API port too: kubeconfigs Minos obtained through Talos name it.
  const kubePortFile = path.join(stateDir, "kube-port");
  const read = (file: string) =>
    readFile(file, "utf8").then(
      (p) => Number(p.trim()),
      () => null,
    );
  const savedPort = await read(portFile);
  const savedKubePort = await read(kubePortFile);
  const clusters = await db.cluster.count();
  if (savedPort === null && clusters > 0) return null; // a real fleet: no demo
  await mkdir(stateDir, { recursive: true });
  const sim = await startSimulator({
    clusters: DEMO_CLUSTERS,
    nodesPerCluster: DEMO_NODES_PER_CLUSTER,
    seed: DEMO_SEED,
    stateDir,
    port: savedPort ?? 0,
    kubePort: savedKubePort ?? 0,
    role: "os:admin",
    // One worker with a failed kubelet, so the demo shows what trouble looks like; three drifted workers.
    faults: [
      { node: demoTroubleMachine(), kind: "service", service: "kubelet", mode: "failed" },
      ...demoDriftFaults(demoSpec()),
    ],
  });
  (globalThis as Holder)[KEY] = true;
  const port = Number(new URL(`tcp://${sim.clusters[0]?.endpoint}`).port);
  const kubePort = Number(new URL(sim.clusters[0]?.kubeEndpoint ?? "https://x:0").port);
  if (savedKubePort === null) await writeFile(kubePortFile, `${kubePort}\n`);
  if (savedPort === null) {
    await writeFile(portFile, `${port}\n`);
    const placement = Object.fromEntries(sim.clusters.map((c) => [c.name, demoPlacement(c.name)]));
    const imported = await importFleet(db, {
      talosconfig: sim.talosconfig,
      sites: Object.fromEntries(Object.entries(placement).map(([n, p]) => [n, p.site])),
      labels: Object.fromEntries(Object.entries(placement).map(([n, p]) => [n, p.labels])),
    });
    await recordAudit(db, {
      actor: "system",
      action: "inventory.import",
      target: "demo fleet",
      result: "ok",
      details: {
        clusters: imported.length,
        machines: imported.reduce((n, c) => n + c.machines, 0),
        simulated: true,
      },
    });
    const baselines = await saveDemoBaselines(db, demoSpec());
    await recordAudit(db, {
      actor: "system",
      action: "drift.saveBaseline",
      target: "demo fleet",
      result: "ok",
      details: { baselines, simulated: true },
    });
    opts.log.info({ clusters: imported.length }, "imported the simulated demo fleet");
  }
  opts.log.info({ port }, "simulated demo fleet is running (MINOS_DEMO=0 turns it off)");
  return sim;
}
