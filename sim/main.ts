// CLI of the Talos fleet simulator: `npm run sim -- --clusters N --nodes-per-cluster M …`.
import { Command, InvalidArgumentError } from "commander";
import { parseFaultFlag } from "./faults";
import { type StartupFault, startSimulator } from "./index";

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

const program = new Command("talos-sim")
  .description("A fleet of simulated Talos Linux nodes serving the Talos API over mTLS on 127.0.0.0/8")
  .requiredOption("--clusters <n>", "number of clusters", int("--clusters"))
  .requiredOption(
    "--nodes-per-cluster <n>",
    "nodes per cluster (1-2: one control plane, 3+: three)",
    int("--nodes-per-cluster"),
  )
  .option("--port <port>", "apid port of every cluster endpoint (0 = pick a free one)", int("--port"), 50000)
  .option("--talosconfig <file>", "where to write the talosconfig (default <state-dir>/talosconfig)")
  .option("--role <role>", "role of the client certificate in the talosconfig", "os:admin")
  .option("--time-scale <x>", "divide simulated durations (reboots, pulls) by this factor", Number, 1)
  .option("--seed <seed>", "seed of the fleet: the same seed gives the same fleet", "minos")
  .option("--state-dir <dir>", "directory for the CA and the talosconfig", ".minos/talos-sim")
  .option(
    "--control-port <port>",
    "port of the HTTP control API on 127.0.0.1 (0 = free port)",
    int("--control-port"),
    0,
  )
  .option(
    "--registry-limit <n>",
    "concurrent pulls the image registry serves before failing",
    int("--registry-limit"),
  )
  .option("--talos-version <tag>", "every node starts on this Talos release (default: a seeded mix)")
  .option("--healthy", "no node starts with an issue (unhealthy kubelet, node not ready)", false)
  .option(
    "--kube-port <port>",
    "Kubernetes API port of every cluster endpoint (0 = pick a free one; default 6443, or 0 with --port 0)",
    int("--kube-port"),
  )
  .option("--no-kube", "serve no Kubernetes API")
  .option(
    "--fault <spec>",
    "inject a fault at start, repeatable: <node>:<kind>[:k=v,...] (kinds: unreachable, slow, service, upgrade-fail, old-version, never-back, drift, left, kernel-args, extensions, schematic, log-flood, pdb-block, kube-never-ready, crash-loop)",
    (v: string, acc: string[]) => [...acc, v],
    [] as string[],
  );

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    clusters: number;
    nodesPerCluster: number;
    port: number;
    talosconfig?: string;
    role: string;
    timeScale: number;
    seed: string;
    stateDir: string;
    controlPort: number;
    registryLimit?: number;
    talosVersion?: string;
    healthy: boolean;
    kubePort?: number;
    kube: boolean;
    fault: string[];
  }>();
  if (!["os:admin", "os:operator", "os:reader"].includes(o.role)) {
    throw new Error(`--role must be os:admin, os:operator or os:reader, got ${o.role}`);
  }
  const faults: StartupFault[] = o.fault.map((f) => {
    const { node, body } = parseFaultFlag(f);
    return { node, kind: String(body.kind), ...body };
  });
  const started = performance.now();
  const sim = await startSimulator({
    clusters: o.clusters,
    nodesPerCluster: o.nodesPerCluster,
    port: o.port,
    stateDir: o.stateDir,
    talosconfigPath: o.talosconfig,
    role: o.role as "os:admin" | "os:operator" | "os:reader",
    timeScale: o.timeScale,
    seed: o.seed,
    controlPort: o.controlPort,
    faults,
    talosVersion: o.talosVersion,
    healthy: o.healthy,
    kube: o.kube,
    kubePort: o.kubePort,
    registry: o.registryLimit
      ? { hardLimit: o.registryLimit, softLimit: Math.max(1, Math.floor(o.registryLimit / 2)) }
      : undefined,
  });
  const nodes = sim.clusters.reduce((n, c) => n + c.nodes.length, 0);
  const ms = Math.round(performance.now() - started);
  const rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
  console.log(
    `talos-sim: ${sim.clusters.length} clusters, ${nodes} nodes ready in ${ms} ms (rss ${rssMiB} MiB)`,
  );
  for (const c of sim.clusters.slice(0, 10))
    console.log(`  ${c.name.padEnd(20)} ${c.endpoint}  (${c.nodes.length} nodes)`);
  if (sim.clusters.length > 10) console.log(`  … and ${sim.clusters.length - 10} more`);
  console.log(`talosconfig: ${sim.talosconfigPath}`);
  console.log(`control API: ${sim.controlUrl}`);
  if (o.kube)
    console.log(
      `Kubernetes API: ${sim.clusters[0]?.kubeEndpoint ?? ""} … (kubeconfig through Talos: talosctl kubeconfig)`,
    );
  console.log(
    `SIM_READY ${JSON.stringify({ controlUrl: sim.controlUrl, talosconfig: sim.talosconfigPath, nodes, startupMs: ms, heapUsedBytes: process.memoryUsage().heapUsed })}`,
  );
  const shutdown = () => {
    sim.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(`talos-sim: ${(err as Error).message}`);
  process.exit(1);
});
