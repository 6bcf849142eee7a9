// The endpoint's own reboot drops the listener and brings it back; restarts keep credentials; more faults.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { startSimulator } from "./index";
import { md, startTestSim, unary } from "./test-helpers";

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met in time");
}

describe("endpoint reboot and restarts", () => {
  it("closes the cluster listener while the endpoint node reboots and serves again after", async () => {
    const t = await startTestSim({ clusters: 1, nodesPerCluster: 3, seed: "ep", timeScale: 200 });
    try {
      const cl = t.sim.clusters[0];
      if (!cl) throw new Error("no cluster");
      const c = t.clients(cl.endpoint);
      const before = await unary(c.machine.hostname, c.machine, {});
      expect(before.err).toBeNull();
      await unary(c.machine.reboot, c.machine, { mode: 0 });
      await until(
        async () =>
          (await unary(c.machine.hostname, c.machine, {}, md(), 500)).err?.code === status.UNAVAILABLE,
      );
      await until(async () => (await unary(c.machine.hostname, c.machine, {}, md(), 500)).err === null);
    } finally {
      await t.close();
    }
  });

  it("keeps the CA in the state dir so an old talosconfig still works after a restart", async () => {
    const t = await startTestSim({ clusters: 1, nodesPerCluster: 1, seed: "restart" });
    const ca = await readFile(path.join(t.stateDir, "ca.crt"), "utf8");
    const endpoint = t.sim.clusters[0]?.endpoint ?? "";
    await t.sim.stop();
    const again = await startSimulator({
      clusters: 1,
      nodesPerCluster: 1,
      port: Number(endpoint.split(":")[1]),
      stateDir: t.stateDir,
      seed: "restart",
    });
    try {
      expect(await readFile(path.join(t.stateDir, "ca.crt"), "utf8")).toBe(ca);
      const c = t.clients(endpoint); // credentials from the first run's talosconfig
      expect((await unary(c.machine.version, c.machine, {})).err).toBeNull();
      expect(again.clusters[0]?.nodes[0]?.hostname).toBe(t.sim.clusters[0]?.nodes[0]?.hostname);
    } finally {
      await again.stop();
      await t.close().catch(() => {});
    }
  });

  it("brings a node back on its old version with the old-version fault, and flaps a service", async () => {
    const t = await startTestSim({ clusters: 1, nodesPerCluster: 4, seed: "old", timeScale: 200 });
    try {
      const cl = t.sim.clusters[0];
      if (!cl) throw new Error("no cluster");
      const w = cl.nodes[3];
      if (!w) throw new Error("no worker");
      const c = t.clients(cl.endpoint);
      await t.control("POST", `/nodes/${w.address}/faults`, { kind: "old-version" });
      const up = await unary(
        c.machine.upgrade,
        c.machine,
        {
          image: "ghcr.io/siderolabs/installer:v1.13.8",
          preserve: false,
          stage: false,
          force: false,
          rebootMode: 0,
        },
        md({ node: w.address }),
      );
      expect(up.err).toBeNull();
      const state = async () =>
        (await t.control("GET", `/nodes/${w.address}`)).json as {
          bootCount: number;
          talosVersion: string;
          stage: string;
        };
      await until(async () => {
        const s = await state();
        return s.bootCount === 1 && s.stage === "RUNNING";
      });
      expect((await state()).talosVersion).toBe(w.talosVersion);

      await t.control("POST", `/nodes/${w.address}/faults`, {
        kind: "service",
        service: "kubelet",
        mode: "flapping",
        periodMs: 20_000,
      });
      const seen = new Set<string>();
      await until(async () => {
        const { res } = await unary(c.machine.serviceList, c.machine, {}, md({ node: w.address }));
        const k = res?.messages[0]?.services.find((s) => s.id === "kubelet");
        if (k) seen.add(k.state);
        return seen.has("Running") && seen.has("Failed");
      });
    } finally {
      await t.close();
    }
  });
});
