// Talos client throughput against the simulator over real mTLS: Version round-trips across 1,000 nodes, log lines/s.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ChannelPool } from "../../server/talos/channel-pool";
import { TalosClient } from "../../server/talos/client";
import { parseTalosconfig } from "../../server/talos/talosconfig";
import { startSimulator } from "../../server/talos-sim";
import type { BenchMetric, BenchSuite } from "../suite";

const CLUSTERS = 10;
const NODES_PER_CLUSTER = 100;
const CONCURRENCY = 64;
const LOG_WINDOW_MS = 5_000;

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

const suite: BenchSuite = {
  name: "talos-client",
  description:
    "Talos client ← simulator over mTLS: Version round-trips across 1,000 nodes, raw log-stream lines/s",
  async run(): Promise<BenchMetric[]> {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-bench-talos-"));
    const sim = await startSimulator({
      clusters: CLUSTERS,
      nodesPerCluster: NODES_PER_CLUSTER,
      port: 0,
      stateDir,
      seed: "bench",
    });
    const pool = new ChannelPool();
    try {
      const config = parseTalosconfig(sim.talosconfig);
      const targets = sim.clusters.flatMap((cluster) => {
        const context = config.contexts.find((c) => c.name === cluster.name);
        if (!context) throw new Error(`no talosconfig context for ${cluster.name}`);
        const client = new TalosClient(context, { pool });
        return cluster.nodes.map((n) => ({ client, node: n.address }));
      });

      // Warm up the channels, then time full passes over every node.
      await Promise.all(sim.clusters.map((_, i) => targets[i * NODES_PER_CLUSTER]?.client.version({})));
      const passes = 3;
      let ok = 0;
      const started = performance.now();
      for (let pass = 0; pass < passes; pass++) {
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
      }
      const versionSeconds = (performance.now() - started) / 1000;

      const first = targets[0];
      if (!first) throw new Error("no nodes");
      const oneStart = performance.now();
      const oneLines = await readLogsFor(first.client, first.node, LOG_WINDOW_MS);
      const oneSeconds = (performance.now() - oneStart) / 1000;

      const hundred = targets.slice(0, 100);
      const manyStart = performance.now();
      const manyLines = (
        await Promise.all(hundred.map((t) => readLogsFor(t.client, t.node, LOG_WINDOW_MS)))
      ).reduce((a, b) => a + b, 0);
      const manySeconds = (performance.now() - manyStart) / 1000;

      return [
        {
          name: "talos.version_round_trips_per_s",
          value: Math.round(ok / versionSeconds),
          unit: "calls/s",
          params: { nodes: targets.length, concurrency: CONCURRENCY, passes, routing: "node" },
        },
        {
          name: "logs.raw_grpc_lines_per_s",
          value: Math.round(oneLines / oneSeconds),
          unit: "lines/s",
          params: { streams: 1, log: "machined", windowMs: LOG_WINDOW_MS },
        },
        {
          name: "logs.raw_grpc_lines_per_s_100_streams",
          value: Math.round(manyLines / manySeconds),
          unit: "lines/s",
          params: { streams: 100, log: "machined", windowMs: LOG_WINDOW_MS },
        },
      ];
    } finally {
      pool.close();
      await sim.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
  },
};

export default suite;
