// A `nodes` call fanned out over a whole cluster puts one abort listener on the call, not one per node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, md, startTestSim, type TestSim, unary } from "./test-helpers";

let t: TestSim;
const warnings: string[] = [];
const onWarning = (w: Error) => {
  if (w.name === "MaxListenersExceededWarning") warnings.push(w.message);
};

beforeAll(async () => {
  t = await startTestSim({ clusters: 1, nodesPerCluster: 14, seed: "listeners", timeScale: 200 });
  process.on("warning", onWarning);
});
afterAll(async () => {
  process.off("warning", onWarning);
  await t.close();
});

describe("abort listeners", () => {
  it("fans Events and slow unary calls out to 14 nodes without MaxListenersExceededWarning", async () => {
    const cl = t.sim.clusters[0];
    if (!cl) throw new Error("no cluster");
    const c = t.clients(cl.endpoint);
    const nodes = cl.nodes.map((n) => n.address);
    for (const n of nodes) await t.control("POST", `/nodes/${n}/faults`, { kind: "slow", delayMs: 30 });
    const events = collect(
      c.machine.events({ tailEvents: 1, tailId: "", tailSeconds: 0, withActorId: "" }, md({ nodes })),
      (m) => m.length >= nodes.length * 2,
      3000,
    );
    const version = await unary(c.machine.version, c.machine, {}, md({ nodes }));
    expect(version.res?.messages).toHaveLength(nodes.length);
    const { msgs } = await events;
    expect(new Set(msgs.map((m) => m.metadata?.hostname)).size).toBe(nodes.length);
    await new Promise((r) => setTimeout(r, 20)); // warnings are emitted on a later tick
    expect(warnings).toEqual([]);
  });
});
