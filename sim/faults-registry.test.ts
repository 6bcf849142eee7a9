// Faults injected through the control API, the registry's capacity under a pull storm, and COSI watches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventType } from "@/proto/generated/v1alpha1/state";
import { type Clients, collect, md, startTestSim, type TestSim, unary } from "./test-helpers";

let t: TestSim;
let c: Clients;
let nodes: TestSim["sim"]["clusters"][number]["nodes"];

beforeAll(async () => {
  t = await startTestSim({
    clusters: 1,
    nodesPerCluster: 10,
    seed: "faults",
    timeScale: 200,
    registry: { softLimit: 2, hardLimit: 4, pullMs: 20_000 },
  });
  const cl = t.sim.clusters[0];
  if (!cl) throw new Error("no cluster");
  nodes = cl.nodes;
  c = t.clients(cl.endpoint);
});
afterAll(() => t.close());

const addr = (i: number) => nodes[i]?.address ?? "";

describe("control API", () => {
  it("lists the fleet and a node's state", async () => {
    const fleet = (await t.control("GET", "/fleet")).json as { clusters: Array<{ nodes: unknown[] }> };
    expect(fleet.clusters[0]?.nodes).toHaveLength(10);
    const node = (await t.control("GET", `/nodes/${nodes[4]?.hostname}`)).json as {
      address: string;
      services: unknown[];
    };
    expect(node.address).toBe(addr(4));
    expect(node.services.length).toBeGreaterThan(5);
    expect((await t.control("POST", `/nodes/${addr(4)}/faults`, { kind: "bogus" })).status).toBe(400);
    expect((await t.control("GET", "/nodes/127.1.2.3")).status).toBe(404);
  });

  it("slows a node's responses", async () => {
    await t.control("POST", `/nodes/${addr(5)}/faults`, { kind: "slow", delayMs: 300 });
    const started = Date.now();
    await unary(c.machine.hostname, c.machine, {}, md({ node: addr(5) }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await t.control("DELETE", `/nodes/${addr(5)}/faults/slow`);
  });

  it("fails a service: ServiceList and MachineStatus show it", async () => {
    await t.control("POST", `/nodes/${addr(6)}/faults`, {
      kind: "service",
      service: "kubelet",
      mode: "failed",
    });
    const { res } = await unary(c.machine.serviceList, c.machine, {}, md({ node: addr(6) }));
    const kubelet = res?.messages[0]?.services.find((s) => s.id === "kubelet");
    expect(kubelet?.state).toBe("Failed");
    const ms = await unary(
      c.state.get,
      c.state,
      { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev", id: "machine", options: {} },
      md({ node: addr(6) }),
    );
    expect(ms.res?.resource?.spec?.yamlSpec).toContain("kubelet not running");
    await t.control("DELETE", `/nodes/${addr(6)}/faults`);
  });

  it("drifts a node's configuration away from its cluster's", async () => {
    const cfg = async (i: number) =>
      (
        await unary(
          c.state.get,
          c.state,
          { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "v1alpha1", options: {} },
          md({ node: addr(i) }),
        )
      ).res?.resource?.spec?.yamlSpec ?? "";
    await t.control("POST", `/nodes/${addr(7)}/faults`, {
      kind: "drift",
      path: "machine.sysctls.net.core.somaxconn",
      value: "65535",
    });
    expect(await cfg(7)).toContain("65535");
    expect(await cfg(8)).not.toContain("65535");
  });

  it("keeps a node down after a reboot when it never comes back", async () => {
    await t.control("POST", `/nodes/${addr(9)}/faults`, { kind: "never-back" });
    await unary(c.machine.reboot, c.machine, { mode: 0 }, md({ node: addr(9) }));
    await new Promise((r) => setTimeout(r, 300));
    const { err } = await unary(c.machine.version, c.machine, {}, md({ node: addr(9) }));
    expect(err?.code).toBe(14);
    const state = (await t.control("GET", `/nodes/${addr(9)}`)).json as { apiUp: boolean };
    expect(state.apiUp).toBe(false);
  });
});

describe("registry", () => {
  it("caps concurrent pulls: a storm slows down then fails, and the peak never passes the cap", async () => {
    await t.control("POST", "/registry/reset");
    const image = "ghcr.io/siderolabs/installer:v1.13.9";
    const calls = [3, 4, 5, 6, 7, 8].map((i) =>
      unary(
        c.machine.upgrade,
        c.machine,
        { image, preserve: false, stage: true, force: true, rebootMode: 0 },
        md({ node: addr(i) }),
      ),
    );
    const results = await Promise.all(calls);
    const failed = results.filter((r) => r.err);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.err?.details).toMatch(/^error validating installer image .*429 Too Many Requests/);
    const stats = (await t.control("GET", "/registry")).json as {
      peak: number;
      failed: number;
      hardLimit: number;
    };
    expect(stats.peak).toBeLessThanOrEqual(stats.hardLimit);
    expect(stats.peak).toBe(4);
    expect(stats.failed).toBe(failed.length);
  });
});

describe("COSI watch", () => {
  it("watch by id: empty first message then the current state", async () => {
    const { msgs } = await collect(
      c.state.watch(
        {
          namespace: "runtime",
          type: "MachineStatuses.runtime.talos.dev",
          id: "machine",
          options: undefined,
          apiVersion: 1,
        },
        md({ node: addr(1) }),
      ),
      (m) => m.length >= 2,
    );
    expect(msgs[0]?.event).toEqual([]);
    expect(msgs[1]?.event[0]?.eventType).toBe(EventType.CREATED);
    expect(msgs[1]?.event[0]?.resource?.metadata?.id).toBe("machine");
  });

  it("watch by kind with bootstrap_contents ends the bootstrap with BOOTSTRAPPED", async () => {
    const { msgs } = await collect(
      c.state.watch(
        {
          namespace: "cluster",
          type: "Members.cluster.talos.dev",
          options: {
            bootstrapContents: true,
            tailEvents: 0,
            labelQuery: [],
            idQuery: undefined,
            aggregated: false,
            bootstrapBookmark: false,
          },
          apiVersion: 1,
        },
        md({ node: addr(1) }),
      ),
      (m) => m.some((x) => x.event[0]?.eventType === EventType.BOOTSTRAPPED),
    );
    expect(msgs[0]?.event).toEqual([]);
    const created = msgs.filter((m) => m.event[0]?.eventType === EventType.CREATED);
    expect(created).toHaveLength(10);
    expect(msgs.at(-1)?.event[0]?.eventType).toBe(EventType.BOOTSTRAPPED);
  });
});
