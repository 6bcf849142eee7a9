// Benchmarks of the Talos fleet simulator: resident memory and startup time at 1,000 and 10,000 nodes.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchMetric, BenchSuite } from "../suite";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Sample {
  startupMs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** Starts the simulator as its own process (so the figure is its own), waits until ready, samples, stops it. */
async function measure(clusters: number, nodesPerCluster: number): Promise<Sample> {
  const stateDir = await mkdtemp(path.join(tmpdir(), "talos-sim-bench-"));
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "server/talos-sim/main.ts",
      "--clusters",
      String(clusters),
      "--nodes-per-cluster",
      String(nodesPerCluster),
      "--port",
      "0",
      "--state-dir",
      stateDir,
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  try {
    const ready = await new Promise<{ startupMs: number; heapUsedBytes: number }>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("simulator did not start within 180 s")), 180_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n").find((l) => l.startsWith("SIM_READY "));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line.slice("SIM_READY ".length)));
        }
      });
      child.stderr.on("data", (d: Buffer) => {
        out += d.toString();
      });
      child.on("exit", (code) => reject(new Error(`simulator exited with ${code}: ${out.slice(-500)}`)));
    });
    await new Promise((r) => setTimeout(r, 2000)); // let startup garbage settle
    const rssBytes = child.pid ? await rssOf(child.pid) : 0;
    return { ...ready, rssBytes };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await rm(stateDir, { recursive: true, force: true });
  }
}

const suite: BenchSuite = {
  name: "simulator",
  description: "Talos fleet simulator: RSS, heap and startup time at 1,000 and 10,000 nodes (child process)",
  async run(): Promise<BenchMetric[]> {
    const metrics: BenchMetric[] = [];
    for (const [clusters, perCluster] of [
      [100, 10],
      [1000, 10],
    ] as const) {
      const nodes = clusters * perCluster;
      const s = await measure(clusters, perCluster);
      const params = { clusters, nodesPerCluster: perCluster, nodes };
      metrics.push({
        name: `simulator.rss_mib_${nodes}_nodes`,
        value: Math.round(s.rssBytes / 2 ** 20),
        unit: "MiB",
        params,
      });
      metrics.push({
        name: `simulator.heap_used_mib_${nodes}_nodes`,
        value: Math.round(s.heapUsedBytes / 2 ** 20),
        unit: "MiB",
        params,
      });
      metrics.push({
        name: `simulator.startup_ms_${nodes}_nodes`,
        value: Math.round(s.startupMs),
        unit: "ms",
        params,
      });
    }
    return metrics;
  },
};

export default suite;
