// Benchmarks of the Talos fleet simulator: resident memory and startup time at 1,000 and 10,000 nodes.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { credentials, Metadata } from "@grpc/grpc-js";
import { parse } from "yaml";
import { MachineServiceClient } from "@/proto/generated/machine/machine";
import type { BenchMetric, BenchSuite } from "../suite";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Sample {
  startupMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** RSS after one Version call to every node (aggregated per cluster, one mTLS connection per cluster). */
  rssAfterSweepBytes: number;
  sweepMs: number;
}

type Talosconfig = {
  contexts: Record<string, { endpoints: string[]; nodes: string[]; ca: string; crt: string; key: string }>;
};

/** Version to every node: one `nodes` call per cluster, 50 clusters at a time. */
async function sweep(talosconfigPath: string): Promise<number> {
  const cfg = parse(await readFile(talosconfigPath, "utf8")) as Talosconfig;
  const b = (s: string) => Buffer.from(s, "base64");
  const started = performance.now();
  const contexts = Object.values(cfg.contexts);
  const clients: MachineServiceClient[] = [];
  for (let i = 0; i < contexts.length; i += 50) {
    await Promise.all(
      contexts.slice(i, i + 50).map(async (ctx) => {
        const key = b(ctx.key)
          .toString()
          .replace(/ED25519 PRIVATE KEY/g, "PRIVATE KEY");
        const client = new MachineServiceClient(
          ctx.endpoints[0] ?? "",
          credentials.createSsl(b(ctx.ca), Buffer.from(key), b(ctx.crt)),
        );
        clients.push(client);
        const md = new Metadata();
        for (const n of ctx.nodes) md.add("nodes", n);
        await new Promise<void>((resolve, reject) =>
          client.version({}, md, (err, res) =>
            err
              ? reject(err)
              : res.messages.length === ctx.nodes.length
                ? resolve()
                : reject(new Error("short reply")),
          ),
        );
      }),
    );
  }
  const ms = performance.now() - started;
  for (const c of clients) c.close();
  return ms;
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
      "sim/main.ts",
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
    const ready = await new Promise<{ startupMs: number; heapUsedBytes: number; talosconfig: string }>(
      (resolve, reject) => {
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
      },
    );
    await new Promise((r) => setTimeout(r, 2000)); // let startup garbage settle
    const rssBytes = child.pid ? await rssOf(child.pid) : 0;
    const sweepMs = await sweep(ready.talosconfig);
    const rssAfterSweepBytes = child.pid ? await rssOf(child.pid) : 0;
    return { ...ready, rssBytes, rssAfterSweepBytes, sweepMs };
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
      metrics.push({
        name: `simulator.rss_after_version_sweep_mib_${nodes}_nodes`,
        value: Math.round(s.rssAfterSweepBytes / 2 ** 20),
        unit: "MiB",
        params: { ...params, connections: clusters },
      });
      metrics.push({
        name: `simulator.version_sweep_ms_${nodes}_nodes`,
        value: Math.round(s.sweepMs),
        unit: "ms",
        params,
      });
    }
    return metrics;
  },
};

export default suite;
