// The client reads a simulated Talos fleet over real mTLS: every read operation, per node and aggregated.
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TalosNotFoundError, TalosRequestError, TalosUnimplementedError } from "./errors";
import { collect, startTestFleet, type TestFleet } from "./test-fleet";

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

  it("multiplexes one call per node with bounded concurrency, keeping the nodes' order", async () => {
    const nodes = fleet.cluster.nodes.map((n) => n.address);
    const results = await fleet.client.each(nodes, (node) => fleet.client.hostname({ node }), {
      concurrency: 2,
    });
    expect(results.map((r) => (r.ok ? r.value : r.error.message))).toEqual(
      fleet.cluster.nodes.map((n) => n.hostname),
    );
  });

  it("lets 40 concurrent calls share one AbortSignal with one listener on it, gone when they finish", async () => {
    const controller = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const nodes = Array.from({ length: 40 }, (_, i) => fleet.cluster.nodes[i % 4]?.address ?? "");
      let peak = 0;
      const results = await fleet.client.each(
        nodes,
        async (node) => {
          const p = fleet.client.version({ node, signal: controller.signal });
          peak = Math.max(peak, getEventListeners(controller.signal, "abort").length);
          return p;
        },
        { concurrency: 40 },
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(peak).toBe(1);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      await new Promise((r) => setTimeout(r, 10));
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("decodes an aggregated `nodes` reply, with a failing node reported as that node's error", async () => {
    const nodes = [...fleet.cluster.nodes.map((n) => n.address), "127.0.0.254"];
    const results = await fleet.client.aggregated.version(nodes);
    expect(results).toHaveLength(nodes.length);
    for (const [i, node] of fleet.cluster.nodes.entries()) {
      const r = results[i];
      expect(r?.node).toBe(node.address);
      expect(r?.ok && r.value.tag).toBe(node.talosVersion);
    }
    const bad = results[nodes.length - 1];
    expect(bad?.ok).toBe(false);
    if (bad && !bad.ok) {
      expect(bad.node).toBe("127.0.0.254");
      expect(bad.error.kind).toBe("unreachable");
      expect(bad.error.message).toMatch(/cannot be reached/);
    }
    const hostnames = await fleet.client.aggregated.hostname(fleet.cluster.nodes.map((n) => n.address));
    expect(hostnames.map((r) => r.ok && r.value)).toEqual(fleet.cluster.nodes.map((n) => n.hostname));
  });
});

describe("aggregated unary operations", () => {
  it("decodes every aggregatable operation per node, with a failing node as that node's typed error", async () => {
    const down = "127.0.0.254";
    const nodes = [cp, worker, down];
    const c = fleet.client.aggregated;
    const expectDown = (r: { node: string; ok: boolean; error?: { kind: string } } | undefined) => {
      expect(r?.node).toBe(down);
      expect(r?.ok).toBe(false);
      expect(r?.error?.kind).toBe("unreachable");
    };
    const services = await c.services(nodes);
    expect(services.map((r) => r.node)).toEqual(nodes);
    for (const r of services.slice(0, 2)) expect(r.ok && r.value.some((s) => s.id === "kubelet")).toBe(true);
    expectDown(services[2]);

    const memory = await c.memory(nodes);
    expect(memory.slice(0, 2).every((r) => r.ok && r.value.totalKb > 0)).toBe(true);
    expectDown(memory[2]);

    const stats = await c.systemStat(nodes);
    expect(stats.slice(0, 2).every((r) => r.ok && r.value.cpus.length > 0)).toBe(true);
    expectDown(stats[2]);

    const logIds = await c.logsContainers(nodes);
    expect(logIds.slice(0, 2).every((r) => r.ok && r.value.includes("machined"))).toBe(true);
    expectDown(logIds[2]);

    const ctrs = await c.containers(nodes, { kubernetes: true });
    expect(ctrs.slice(0, 2).every((r) => r.ok && r.value.some((x) => x.name === "kube-proxy"))).toBe(true);
    expectDown(ctrs[2]);

    // etcd: a worker fails on its own (Unimplemented), within an OK reply
    const etcd = await c.etcdStatus(nodes);
    expect(etcd[0]?.ok && etcd[0].value.memberId).not.toBe("0");
    expect(etcd[1]?.ok).toBe(false);
    expect(!etcd[1]?.ok && etcd[1]?.error.kind).toBe("unimplemented");
    expectDown(etcd[2]);
    const members = await c.etcdMembers([cp, down]);
    expect(members[0]?.ok && members[0].value.length).toBeGreaterThan(0);
    expectDown(members[1]);

    const restarted = await c.restartService([worker, down], { id: "kubelet" });
    expect(restarted[0]?.ok && restarted[0].value).toBe('Service "kubelet" restarted');
    expectDown(restarted[1]);

    const dry = await c.applyConfiguration([cp, down], { config: "version: v1alpha1\n", dryRun: true });
    expect(dry[0]?.node).toBe(cp);
    expectDown(dry[1]);
  });

  it("sends an aggregated reboot and rollback: per-node acks and errors", async () => {
    const down = "127.0.0.254";
    const rollback = await fleet.client.aggregated.rollback([worker, down]);
    expect(rollback[0]?.ok).toBe(false); // nothing to roll back to on a fresh node
    expect(!rollback[0]?.ok && rollback[0]?.error.message).toMatch(/rollback|previous/i);
    expect(!rollback[1]?.ok && rollback[1]?.error.kind).toBe("unreachable");
  });
});

describe("aggregated streams", () => {
  it("reassembles each node's log lines and reports a failing node without ending the others", async () => {
    const nodes = [cp, worker, "127.0.0.254"];
    const items = await collect(fleet.client.aggregated.logs(nodes, { id: "machined", tailLines: 50 }), {
      ms: 10_000,
    });
    for (const node of [cp, worker]) {
      const lines = items.flatMap((i) => (i.node === node && "line" in i ? [i.line] : []));
      expect(lines).toHaveLength(50);
      for (const line of lines) expect(line).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} \[talos\] /);
    }
    const failed = items.find((i) => i.node === "127.0.0.254");
    expect(failed && "error" in failed && failed.error.kind).toBe("unreachable");
  });
});

describe("aggregated dmesg and events", () => {
  it("reassembles kernel records per node and reports a failing node", async () => {
    const nodes = [cp, worker, "127.0.0.254"];
    const items = await collect(fleet.client.aggregated.dmesg(nodes), { ms: 10_000 });
    for (const node of [cp, worker]) {
      const lines = items.flatMap((i) => (i.node === node && "line" in i ? [i.line] : []));
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) expect(line).toMatch(/^\w+: +\w+: \[\d{4}-\d\d-\d\dT[\d:.]+Z\]: /);
    }
    const failed = items.find((i) => i.node === "127.0.0.254");
    expect(failed && "error" in failed && failed.error.kind).toBe("unreachable");
  });

  it("streams events of several nodes, ready once each said hello or failed", async () => {
    const controller = new AbortController();
    const nodes = [cp, worker, "127.0.0.254"];
    const stream = fleet.client.aggregated.events(nodes, { tailEvents: 3, signal: controller.signal });
    await stream.ready;
    const items = await collect(stream, { count: 7, ms: 10_000, controller });
    controller.abort();
    for (const node of [cp, worker]) {
      const evs = items.flatMap((i) => (i.node === node && "event" in i ? [i.event] : []));
      expect(evs).toHaveLength(3);
      for (const e of evs) {
        expect(e.node).toBe(node);
        expect(e.payload.type).not.toBe("hello");
      }
    }
    const failed = items.find((i) => i.node === "127.0.0.254");
    expect(failed && "error" in failed && failed.error.kind).toBe("unreachable");
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
  it("reads memory, CPU counters and containers", async () => {
    const mem = await fleet.client.memory({ node: cp });
    expect(mem.totalKb).toBeGreaterThan(mem.availableKb);
    expect(mem.availableKb).toBeGreaterThan(0);
    const stat = await fleet.client.systemStat({ node: cp });
    expect(stat.bootTime.getTime()).toBeLessThan(Date.now());
    expect(stat.cpus.length).toBeGreaterThan(0);
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
