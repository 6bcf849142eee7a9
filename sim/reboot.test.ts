// The Reboot RPC runs Talos's reboot sequence (v1alpha1_sequencer.go `Reboot`): pods stopped where they
// stand, no cordon and no drain; FORCE goes straight to reboot. Read from the node's own phase events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { md, phasesStartedBy, startTestSim, type TestSim, unary } from "./test-helpers";

let t: TestSim;
let c: ReturnType<TestSim["clients"]>;
let workers: string[];

beforeAll(async () => {
  t = await startTestSim({ clusters: 1, nodesPerCluster: 6, seed: "reboot" });
  const cl = t.sim.clusters[0];
  if (!cl) throw new Error("no cluster");
  workers = cl.nodes.filter((n) => n.role === "worker").map((n) => n.address);
  if (workers.length < 3) throw new Error(`the test needs 3 workers, the fleet has ${workers.length}`);
  c = t.clients(cl.endpoint);
});
afterAll(() => t.close());

/** The phases a reboot of `node` in `mode` starts, as its events tell until its API goes down. */
async function phasesOfReboot(node: string, mode: number): Promise<string[]> {
  const { sent, phases } = await phasesStartedBy(c, node, () =>
    unary(c.machine.reboot, c.machine, { mode }, md({ node })),
  );
  expect(sent.err).toBeNull();
  return phases;
}

describe("a reboot", () => {
  it("stops pods where they stand and reboots, without cordoning or draining the node", async () => {
    const phases = await phasesOfReboot(workers[0] ?? "", 0);
    expect(phases).toEqual([
      "cleanup",
      "dbus",
      "stopServices",
      "umount",
      "unmountBind",
      "unmountSystem",
      "volumeFinalize",
      "kexec",
      "stopEverything",
    ]);
    expect(phases).not.toContain("drain");
  });

  it("in FORCE mode goes straight to reboot, and in POWERCYCLE mode skips kexec", async () => {
    expect(await phasesOfReboot(workers[1] ?? "", 2)).toEqual(["reboot"]);
    expect(await phasesOfReboot(workers[2] ?? "", 1)).not.toContain("kexec");
  });
});
