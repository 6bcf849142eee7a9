// The client reads a simulated Talos fleet over real mTLS: every read operation, per node and aggregated.
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startTestFleet, type TestFleet } from "../testing/talos-fleet";
import { TalosNotFoundError, TalosRequestError, TalosUnimplementedError } from "./errors";

let fleet: TestFleet;
let cp: string;
let worker: string;

beforeAll(async () => {
  fleet = await startTestFleet({ nodesPerCluster: 4 });
  cp = fleet.cluster.nodes.find((n) => n.role === "controlplane")?.address ?? "";
  worker = fleet.cluster.nodes.find((n) => n.role === "worker")?.address ?? "";
  expect(cp).not.toBe("");
  expect(worker).not.toBe("");
});

afterAll(async () => {
  await fleet?.stop();
});

describe("identity", () => {
  it("reads each node's Talos version and hostname through the cluster endpoint", async () => {
    for (const node of fleet.cluster.nodes) {
      const v = await fleet.client.version({ node: node.address });
      expect(v.tag).toBe(node.talosVersion);
      expect(v.arch).toMatch(/amd64|arm64/);
      expect(v.os).toBe("linux");
      expect(await fleet.client.hostname({ node: node.address })).toBe(node.hostname);
    }
  });

  it("lets 40 concurrent calls share one AbortSignal with one listener on it, gone when they finish", async () => {
    const controller = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const nodes = Array.from({ length: 40 }, (_, i) => fleet.cluster.nodes[i % 4]?.address ?? "");
      let peak = 0;
      const results = await Promise.all(
        nodes.map((node) => {
          const p = fleet.client.version({ node, signal: controller.signal });
          peak = Math.max(peak, getEventListeners(controller.signal, "abort").length);
          return p;
        }),
      );
      expect(results.every((v) => v.tag.startsWith("v"))).toBe(true);
      expect(peak).toBe(1);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      await new Promise((r) => setTimeout(r, 10));
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("services", () => {
  it("lists services with state and health", async () => {
    const services = await fleet.client.services({ node: cp });
    const ids = services.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(["apid", "machined", "etcd", "kubelet", "containerd"]));
    const apid = services.find((s) => s.id === "apid");
    expect(apid?.state).toBe("Running");
    expect(apid?.events.length).toBeGreaterThan(0);
    const workerIds = (await fleet.client.services({ node: worker })).map((s) => s.id);
    expect(workerIds).not.toContain("etcd");
  });

  it("restarts kubelet and refuses services Talos cannot restart, with Talos's reason", async () => {
    expect(await fleet.client.restartService({ node: worker, id: "kubelet" })).toBe(
      'Service "kubelet" restarted',
    );
    const refused = fleet.client.restartService({ node: cp, id: "etcd" });
    await expect(refused).rejects.toBeInstanceOf(TalosRequestError);
    await expect(refused).rejects.toThrow(/doesn't support restart operation via API/);
    await expect(fleet.client.restartService({ node: cp, id: "nope" })).rejects.toThrow(/not defined/);
  });
});

describe("resources of a node", () => {
  it("lists system containers and Kubernetes pods' containers", async () => {
    const system = await fleet.client.containers({ node: cp });
    expect(system.map((c) => c.id)).toContain("etcd");
    const pods = await fleet.client.containers({ node: cp, kubernetes: true });
    expect(pods.some((c) => c.image.includes("kube-apiserver"))).toBe(true);
  });
});

describe("COSI resources", () => {
  it("reads machine status, boot id and cluster members", async () => {
    const status = await fleet.client.machineStatus({ node: cp });
    expect(status.stage).toBe("RUNNING");
    expect(typeof status.ready).toBe("boolean");
    expect(await fleet.client.bootId({ node: cp })).toMatch(/^[0-9a-f-]{36}$/);
    const members = await fleet.client.members({ node: cp });
    expect(members.map((m) => m.hostname).sort()).toEqual(fleet.cluster.nodes.map((n) => n.hostname).sort());
    const cpMember = members.find(
      (m) => m.hostname === fleet.cluster.nodes.find((n) => n.address === cp)?.hostname,
    );
    expect(cpMember?.machineType).toMatch(/controlplane|init/);
    expect(cpMember?.addresses).toContain(cp);
    // a Talos node identity: 32 random bytes in jxskiss/base62, the same whichever node is asked
    for (const m of members) expect(m.nodeId).toMatch(/^[A-Za-z0-9]{43,45}$/);
    expect(new Set(members.map((m) => m.nodeId)).size).toBe(members.length);
    const fromWorker = await fleet.client.members({ node: worker });
    expect(fromWorker.map((m) => m.nodeId).sort()).toEqual(members.map((m) => m.nodeId).sort());
  });

  it("watches machine status: the current state first, ended by aborting", async () => {
    const controller = new AbortController();
    const seen = await collect(fleet.client.watchMachineStatus({ node: cp, signal: controller.signal }), {
      count: 1,
      ms: 5_000,
      controller,
    });
    controller.abort();
    expect(seen[0]?.stage).toBe("RUNNING");
  });

  it("gives admins the machine config and reports unknown resources as not found", async () => {
    const config = await fleet.client.machineConfig({ node: cp });
    expect(config).toMatch(/machine:/);
    expect(config).toMatch(/cluster:/);
    const dry = await fleet.client.applyConfiguration({ node: cp, config, dryRun: true });
    expect(dry.details).toMatch(/dry run/i);
    await expect(
      fleet.client.applyConfiguration({ node: cp, config: "not: [yaml", dryRun: true }),
    ).rejects.toThrow(/failed to parse config/);
    const missing = fleet.client.getResource(
      { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev" },
      "no-such-id",
      { node: cp },
    );
    await expect(missing).rejects.toBeInstanceOf(TalosNotFoundError);
  });
});

describe("etcd", () => {
  it("reads etcd status and members on a control plane", async () => {
    const status = await fleet.client.etcdStatus({ node: cp });
    expect(status.memberId).toMatch(/^\d+$/);
    expect(status.memberId).not.toBe("0");
    const members = await fleet.client.etcdMembers({ node: cp });
    const cps = fleet.cluster.nodes.filter((n) => n.role === "controlplane");
    expect(members.map((m) => m.hostname).sort()).toEqual(cps.map((n) => n.hostname).sort());
    expect(members.map((m) => m.id)).toContain(status.memberId);
  });

  it("explains that etcd is only on control planes when asked on a worker", async () => {
    const call = fleet.client.etcdStatus({ node: worker });
    await expect(call).rejects.toBeInstanceOf(TalosUnimplementedError);
    await expect(call).rejects.toThrow(/only available on control plane nodes/);
  });
});
