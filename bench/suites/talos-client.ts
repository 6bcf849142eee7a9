// Talos client throughput against the simulator over real mTLS: Version round-trips across 1,000 nodes, log lines/s.
// Measured twice: with the simulator in its own process (the figures to quote: client and server each have a
// core, as against a real fleet), and with the simulator in the client's process (one event loop serves both).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator } from "@/sim";
import { ChannelPool } from "../../server/talos/channel-pool";
import { TalosClient } from "../../server/talos/client";
import { parseTalosconfig } from "../../server/talos/talosconfig";
import type { BenchMetric, BenchSuite } from "../suite";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CLUSTERS = 10;
const NODES_PER_CLUSTER = 100;
const CONCURRENCY = 64;
const PASSES = 3;
const LOG_WINDOW_MS = 5_000;

type Target = { client: TalosClient; node: string };

async function countLines(lines: AsyncIterable<string>): Promise<number> {
  let n = 0;
  for await (const _ of lines) n++;
  return n;
}

/** Reads whole log buffers back to back for `ms`, returning the number of lines read. */
async function readLogsFor(client: TalosClient, node: string, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let lines = 0;
  while (performance.now() < until) lines += await countLines(client.logs({ node, id: "machined" }));
  return lines;
}

/** One client per talosconfig context (cluster), every node of each as a target. */
function targetsOf(talosconfig: string, pool: ChannelPool): Target[] {
  return parseTalosconfig(talosconfig).contexts.flatMap((context) => {
    const client = new TalosClient(context, { pool });
    return context.nodes.map((node) => ({ client, node }));
  });
}

async function measure(talosconfig: string, where: "child" | "in-process"): Promise<BenchMetric[]> {
  const pool = new ChannelPool();
  try {
    const targets = targetsOf(talosconfig, pool);
    let ok = 0;
    const pass = async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < targets.length) {
            const t = targets[next++];
            if (!t) break;
            await t.client.version({ node: t.node });
            ok++;
          }
        }),
      );
    };
    // Warm up (channels, JIT on both sides: the simulator may have just started) with one untimed pass over
    // every node and one log read, then time full passes.
    await pass();
    const first = targets[0];
    if (!first) throw new Error("no nodes");
    await countLines(first.client.logs({ node: first.node, id: "machined" }));
    ok = 0;
    const started = performance.now();
    for (let i = 0; i < PASSES; i++) await pass();
    const versionSeconds = (performance.now() - started) / 1000;

    const oneStart = performance.now();
    const oneLines = await readLogsFor(first.client, first.node, LOG_WINDOW_MS);
    const oneSeconds = (performance.now() - oneStart) / 1000;

    const hundred = targets.slice(0, 100);
    const manyStart = performance.now();
    const manyLines = (
      await Promise.all(hundred.map((t) => readLogsFor(t.client, t.node, LOG_WINDOW_MS)))
    ).reduce((a, b) => a + b, 0);
    const manySeconds = (performance.now() - manyStart) / 1000;

    const suffix = where === "child" ? "" : "_sim_in_process";
    const simulator = where === "child" ? "separate process" : "same process as the client";
    return [
      {
        name: `talos.version_round_trips_per_s${suffix}`,
        value: Math.round(ok / versionSeconds),
        unit: "calls/s",
        params: {
          nodes: targets.length,
          concurrency: CONCURRENCY,
          passes: PASSES,
          routing: "node",
          simulator,
        },
      },
      {
        name: `logs.raw_grpc_lines_per_s${suffix}`,
        value: Math.round(oneLines / oneSeconds),
        unit: "lines/s",
        params: { streams: 1, log: "machined", windowMs: LOG_WINDOW_MS, simulator },
      },
      {
        name: `logs.raw_grpc_lines_per_s_100_streams${suffix}`,
        value: Math.round(manyLines / manySeconds),
        unit: "lines/s",
        params: { streams: 100, log: "machined", windowMs: LOG_WINDOW_MS, simulator },
      },
    ];
  } finally {
    pool.close();
  }
}

/** `npm run sim` as a child process on a free port; resolves with its talosconfig once it printed SIM_READY. */
async function spawnSimulator(stateDir: string): Promise<{ child: ChildProcess; talosconfig: string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "sim/main.ts",
      "--clusters",
      String(CLUSTERS),
      "--nodes-per-cluster",
      String(NODES_PER_CLUSTER),
      "--port",
      "0",
      "--seed",
      "bench",
      "--state-dir",
      stateDir,
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const ready = await new Promise<{ talosconfig: string }>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("simulator did not start within 120 s")), 120_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("SIM_READY "));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice("SIM_READY ".length)));
      }
    });
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => reject(new Error(`simulator exited with ${code}: ${out.slice(-500)}`)));
  });
  return { child, talosconfig: await readFile(ready.talosconfig, "utf8") };
}

const suite: BenchSuite = {
  name: "talos-client",
  description:
    "Talos client ← simulator over mTLS: Version round-trips across 1,000 nodes, raw log-stream lines/s (simulator in a child process, then in-process)",
  async run(): Promise<BenchMetric[]> {
    const metrics: BenchMetric[] = [];
    const childDir = await mkdtemp(path.join(os.tmpdir(), "minos-bench-talos-child-"));
    try {
      const { child, talosconfig } = await spawnSimulator(childDir);
      try {
        metrics.push(...(await measure(talosconfig, "child")));
      } finally {
        child.kill("SIGTERM");
        if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
      }
    } finally {
      await rm(childDir, { recursive: true, force: true });
    }

    const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-bench-talos-"));
    const sim = await startSimulator({
      clusters: CLUSTERS,
      nodesPerCluster: NODES_PER_CLUSTER,
      port: 0,
      stateDir,
      seed: "bench",
    });
    try {
      metrics.push(...(await measure(sim.talosconfig, "in-process")));
    } finally {
      await sim.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
    return metrics;
  },
};

export default suite;
