// Test support: starts a small simulated fleet on free ports and builds real mTLS clients for it.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { issueClientCert, loadCa, renderTalosconfig, startSimulator } from "@/sim";
import { ChannelPool } from "../talos/channel-pool";
import { TalosClient } from "../talos/client";
import { parseTalosconfig, selectContext, type TalosContext } from "../talos/talosconfig";

type Simulator = Awaited<ReturnType<typeof startSimulator>>;
export type SimClusterInfo = Simulator["clusters"][number];

export interface TestFleet {
  sim: Simulator;
  cluster: SimClusterInfo;
  context: TalosContext;
  client: TalosClient;
  pool: ChannelPool;
  /** A client for the same cluster whose certificate carries `role`. */
  clientWithRole(role: string): Promise<TalosClient>;
  stop(): Promise<void>;
}

export async function startTestFleet(
  opts: { nodesPerCluster?: number; timeScale?: number; seed?: string } = {},
): Promise<TestFleet> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-talos-client-"));
  const sim = await startSimulator({
    clusters: 1,
    nodesPerCluster: opts.nodesPerCluster ?? 4,
    port: 0,
    stateDir,
    role: "os:admin",
    timeScale: opts.timeScale ?? 100,
    seed: opts.seed ?? "talos-client-tests",
  });
  const cluster = sim.clusters[0];
  if (!cluster) throw new Error("the simulator started without clusters");
  const config = parseTalosconfig(sim.talosconfig);
  const context = config.contexts.find((c) => c.name === cluster.name) ?? selectContext(config);
  const pool = new ChannelPool();
  const client = new TalosClient(context, { pool });
  return {
    sim,
    cluster,
    context,
    client,
    pool,
    async clientWithRole(role) {
      const ca = await loadCa(
        await readFile(path.join(stateDir, "ca.crt"), "utf8"),
        await readFile(path.join(stateDir, "ca.key"), "utf8"),
      );
      const cert = await issueClientCert(ca, { role });
      const text = renderTalosconfig([
        { name: role, endpoints: context.endpoints, caPem: ca.certPem, ...cert },
      ]);
      return new TalosClient(selectContext(parseTalosconfig(text)), { pool });
    },
    async stop() {
      pool.close();
      await sim.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Collects items of an async iterable until `count` arrived or `ms` passed, then stops the stream. */
export async function collect<T>(
  iterable: AsyncIterable<T>,
  opts: { count?: number; ms: number; controller?: AbortController },
): Promise<T[]> {
  const out: T[] = [];
  const timer = setTimeout(() => opts.controller?.abort(), opts.ms);
  try {
    for await (const item of iterable) {
      out.push(item);
      if (opts.count !== undefined && out.length >= opts.count) break;
    }
  } catch (err) {
    if (!opts.controller?.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return out;
}
