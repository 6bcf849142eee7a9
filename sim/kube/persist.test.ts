// The Kubernetes API follows the endpoint machine (down while it reboots, back after), and its CA survives a
// restart of the simulator, so kubeconfigs issued before keep working.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../index";
import { md, startTestSim, unary } from "../test-helpers";
import { kubeClients, until } from "./test-kube";

let dir: string;
let sim: RunningSimulator | null = null;
const opts = () => ({
  clusters: 1,
  nodesPerCluster: 1,
  port: 0,
  stateDir: dir,
  timeScale: 100,
  seed: "persist",
  healthy: true,
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "kube-persist-"));
});
afterAll(async () => {
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the Kubernetes API of a cluster", () => {
  it("goes down while its endpoint machine reboots and answers again once it is back", async () => {
    const t = await startTestSim({
      clusters: 1,
      nodesPerCluster: 1,
      seed: "persist-reboot",
      timeScale: 20,
      healthy: true,
    });
    try {
      const c = t.sim.clusters[0];
      if (!c) throw new Error("no cluster");
      const k = kubeClients(await c.kubeconfig());
      const first = (await k.core.listNode()).items;
      expect(first).toHaveLength(1);
      const talos = t.clients(c.endpoint);
      const r = await unary(talos.machine.reboot, talos.machine, { mode: 0 }, md());
      expect(r.err).toBeNull();
      const down = await until("the API refusing connections", () =>
        k.core.listNode().then(
          () => false,
          (e: unknown) => String((e as Error).message ?? e),
        ),
      );
      expect(down).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
      const back = await until("the API back with the node Ready", () =>
        k.core.listNode().then(
          (l) =>
            l.items[0]?.status?.conditions?.find((x) => x.type === "Ready")?.status === "True"
              ? l
              : undefined,
          () => undefined,
        ),
      );
      expect(back.items[0]?.status?.nodeInfo?.bootID).toMatch(/^[0-9a-f-]{36}$/);
      expect(back.items[0]?.status?.nodeInfo?.bootID).not.toBe(first[0]?.status?.nodeInfo?.bootID);
    } finally {
      await t.close();
    }
  });

  it("keeps its CA in the state dir: a kubeconfig issued before a restart still works after it", async () => {
    sim ??= await startSimulator(opts());
    const before = sim.clusters[0];
    if (!before) throw new Error("no cluster");
    const kubeconfig = await before.kubeconfig();
    const ca = await before.kubeCa();
    await sim.stop();
    sim = await startSimulator(opts());
    const after = sim.clusters[0];
    if (!after) throw new Error("no cluster");
    expect(await after.kubeCa()).toBe(ca);
    const server = after.kubeEndpoint;
    const k = kubeClients(kubeconfig.replace(/server: .*/, `server: ${server}`));
    expect((await k.core.listNode()).items.map((n) => n.metadata?.name)).toEqual([after.nodes[0]?.nodeName]);
  });
});
