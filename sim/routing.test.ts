// The simulator routes like apid: local, `node`, `nodes` aggregation with per-node errors, and refusals.
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopbackV4 } from "./addresses";
import { buildFleetSpec } from "./fleet-spec";
import { type Clients, md, startTestSim, type TestSim, unary } from "./test-helpers";

let t: TestSim;
let c: Clients;
let nodes: TestSim["sim"]["clusters"][number]["nodes"];

beforeAll(async () => {
  t = await startTestSim({ clusters: 3, nodesPerCluster: 4, seed: "routing" });
  const cluster = t.sim.clusters[0];
  if (!cluster) throw new Error("no cluster");
  nodes = cluster.nodes;
  c = t.clients(cluster.endpoint);
});
afterAll(() => t.close());

const node = (i: number) => {
  const n = nodes[i];
  if (!n) throw new Error(`no node ${i}`);
  return n;
};

describe("routing", () => {
  it("serves the endpoint node locally without metadata when no node is named", async () => {
    const { err, res } = await unary(c.machine.hostname, c.machine, {});
    expect(err).toBeNull();
    expect(res?.messages).toHaveLength(1);
    expect(res?.messages[0]?.metadata).toBeUndefined();
    expect(res?.messages[0]?.hostname).toBe(node(0).hostname);
  });

  it("forwards one-to-one with `node` and leaves messages unchanged", async () => {
    const { res } = await unary(c.machine.hostname, c.machine, {}, md({ node: node(3).address }));
    expect(res?.messages[0]?.hostname).toBe(node(3).hostname);
    expect(res?.messages[0]?.metadata).toBeUndefined();
  });

  it("refuses several `node` values", async () => {
    const { err } = await unary(
      c.machine.hostname,
      c.machine,
      {},
      md({ node: [node(1).address, node(2).address] }),
    );
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect(err?.details).toBe("node metadata must be single-valued");
  });

  it("aggregates `nodes` with the caller's strings as metadata.hostname and per-node errors, status OK", async () => {
    await t.control("POST", `/nodes/${node(2).address}/faults`, { kind: "unreachable" });
    try {
      const targets = [node(1).address, node(2).address, node(3).address];
      const { err, res } = await unary(c.machine.version, c.machine, {}, md({ nodes: targets }));
      expect(err).toBeNull();
      const msgs = res?.messages ?? [];
      expect(msgs.map((m) => m.metadata?.hostname).sort()).toEqual([...targets].sort());
      const failed = msgs.find((m) => m.metadata?.hostname === node(2).address);
      expect(failed?.metadata?.error).toMatch(/^rpc error: code = Unavailable desc = .*connection refused/);
      expect(failed?.metadata?.status?.code).toBe(status.UNAVAILABLE);
      expect(failed?.version).toBeUndefined();
      expect(msgs.filter((m) => m.version?.tag).length).toBe(2);
    } finally {
      await t.control("DELETE", `/nodes/${node(2).address}/faults`);
    }
  });

  it("refuses one-to-many for COSI", async () => {
    const { err } = await unary(
      c.state.get,
      c.state,
      { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev", id: "machine", options: {} },
      md({ nodes: node(1).address }),
    );
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect(err?.details).toBe("one-2-many proxying is not supported for method /cosi.resource.State/Get");
  });

  it("answers etcd on control planes and Unimplemented on workers", async () => {
    const cp = await unary(
      c.machine.etcdMemberList,
      c.machine,
      { queryLocal: false },
      md({ node: node(0).address }),
    );
    expect(cp.res?.messages[0]?.members.map((m) => m.hostname)).toEqual([
      node(0).hostname,
      node(1).hostname,
      node(2).hostname,
    ]);
    const w = await unary(c.machine.etcdStatus, c.machine, {}, md({ node: node(3).address }));
    expect(w.err?.code).toBe(status.UNIMPLEMENTED);
    expect(w.err?.details).toBe("etcd status is only available on control plane nodes");
  });

  it("gives an unreachable node's typed error within the caller's deadline when it hangs", async () => {
    await t.control("POST", `/nodes/${node(3).address}/faults`, { kind: "unreachable", mode: "hang" });
    try {
      const started = Date.now();
      const { err } = await unary(c.machine.version, c.machine, {}, md({ node: node(3).address }), 500);
      expect(err?.code).toBe(status.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await t.control("DELETE", `/nodes/${node(3).address}/faults`);
    }
    const { err } = await unary(c.machine.version, c.machine, {}, md({ node: node(3).address }));
    expect(err).toBeNull();
  });
});

describe("fleet shape", () => {
  it("puts every node in 127.0.0.0/8 and the endpoint on the first control plane", () => {
    for (const cl of t.sim.clusters) {
      expect(cl.endpoint.split(":")[0]).toBe(cl.nodes[0]?.address);
      expect(cl.nodes[0]?.role).toBe("controlplane");
      for (const n of cl.nodes) expect(isLoopbackV4(n.address)).toBe(true);
    }
    const big = buildFleetSpec({ seed: "x", clusters: 100, nodesPerCluster: 100 });
    for (const cl of big.clusters) for (const n of cl.nodes) expect(n.address.startsWith("127.")).toBe(true);
  });

  it("gives the same fleet for the same seed and another for another seed", () => {
    const a = buildFleetSpec({ seed: "s1", clusters: 20, nodesPerCluster: 5 });
    const b = buildFleetSpec({ seed: "s1", clusters: 20, nodesPerCluster: 5 });
    const other = buildFleetSpec({ seed: "s2", clusters: 20, nodesPerCluster: 5 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(other));
    const versions = new Set(a.clusters.flatMap((cl) => cl.nodes.map((n) => n.talosVersion)));
    expect(versions.size).toBeGreaterThan(1);
  });
});
