// Upgrades observed end to end through events: legacy Upgrade and Pull + LifecycleService.Upgrade + Reboot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestFleet, type TestFleet } from "../testing/talos-fleet";
import { versionAtLeast } from "./operations/upgrade";
import type { UpgradeProgress } from "./operations/upgrade-flow";

let fleet: TestFleet;

beforeAll(async () => {
  // Seed "b": a v1.12.11 control plane (legacy path) and v1.13.2 nodes (lifecycle path).
  fleet = await startTestFleet({ nodesPerCluster: 4, timeScale: 400, seed: "b" });
});

afterAll(async () => {
  await fleet?.stop();
});

async function fault(node: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${fleet.sim.controlUrl}/nodes/${encodeURIComponent(node)}/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fault injection failed: ${res.status} ${await res.text()}`);
}

async function waitRunning(node: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const status = await fleet.client.machineStatus({ node }).catch(() => undefined);
    if (status?.stage === "RUNNING" && status.ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${node} did not come back running`);
}

function targetFor(tag: string): string {
  return versionAtLeast(tag, "v1.13.9") ? "v1.14.0-rc.1" : "v1.13.9";
}

function tasksSeen(progress: UpgradeProgress[]): string[] {
  return progress.flatMap((p) =>
    p.step === "event" && p.event.payload.type === "task" && p.event.payload.action === "START"
      ? [p.event.payload.task]
      : [],
  );
}

describe("upgrade", () => {
  it("runs the legacy flow: events of the actor in order, disconnect, back on the new version", async () => {
    const node = fleet.cluster.nodes.find((n) => !versionAtLeast(n.talosVersion, "v1.13.0"));
    if (!node) throw new Error("the test fleet needs a node older than Talos 1.13");
    const tag = targetFor(node.talosVersion);
    const progress: UpgradeProgress[] = [];
    const result = await fleet.client.upgrade({
      node: node.address,
      image: `ghcr.io/siderolabs/installer:${tag}`,
      timeoutMs: 60_000,
      onProgress: (p) => progress.push(p),
    });
    expect(result.path).toBe("legacy");
    expect(result.fromVersion).toBe(node.talosVersion);
    expect(result.toVersion).toBe(tag);
    expect(result.bootIdAfter).not.toBe(result.bootIdBefore);
    expect(result.actorId).not.toBe("");
    const tasks = tasksSeen(progress);
    const order = ["cordonAndDrainNode", "stopAllPods", "upgrade", "reloadMeta", "startAllServices"];
    const positions = order.map((t) => tasks.indexOf(t));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // The node drops the connection while it stops and reboots; the flow reconnects and sees it boot.
    expect(progress.some((p) => p.step === "disconnected")).toBe(true);
    expect(progress.some((p) => p.step === "reconnected")).toBe(true);
    expect((await fleet.client.machineStatus({ node: node.address })).stage).toBe("RUNNING");
  });

  it("runs the new flow on Talos >= 1.13: pull, lifecycle upgrade, reboot, back on the new version", async () => {
    const node = fleet.cluster.nodes.find(
      (n) => n.role === "worker" && versionAtLeast(n.talosVersion, "v1.13.0"),
    );
    if (!node) throw new Error("this seed has no node at Talos >= 1.13; pick another seed");
    const before = await fleet.client.version({ node: node.address });
    const tag = targetFor(before.tag);
    const progress: UpgradeProgress[] = [];
    const result = await fleet.client.upgrade({
      node: node.address,
      image: `ghcr.io/siderolabs/installer:${tag}`,
      timeoutMs: 60_000,
      onProgress: (p) => progress.push(p),
    });
    expect(result.path).toBe("lifecycle");
    expect(result.toVersion).toBe(tag);
    expect(result.bootIdAfter).not.toBe(result.bootIdBefore);
    expect(progress.some((p) => p.step === "pulling")).toBe(true);
    expect(progress.some((p) => p.step === "installing")).toBe(true);
  });

  it("stages an upgrade (install on next boot): legacy path, two reboots, back on the new version", async () => {
    const node = fleet.cluster.nodes.find((n) => n.role === "controlplane");
    if (!node) throw new Error("no control plane");
    const before = await fleet.client.version({ node: node.address });
    const tag = before.tag === "v1.13.9" ? "v1.14.0-rc.1" : "v1.13.9";
    const bootCount = async () => {
      const res = await fetch(`${fleet.sim.controlUrl}/nodes/${node.address}`);
      return ((await res.json()) as { bootCount: number }).bootCount;
    };
    const bootsBefore = await bootCount();
    const progress: UpgradeProgress[] = [];
    const result = await fleet.client.upgrade({
      node: node.address,
      image: `ghcr.io/siderolabs/installer:${tag}`,
      stage: true,
      timeoutMs: 60_000,
      onProgress: (p) => progress.push(p),
    });
    expect(result.path).toBe("legacy");
    expect(result.staged).toBe(true);
    expect(result.fromVersion).toBe(before.tag);
    expect(result.toVersion).toBe(tag);
    expect(result.bootIdAfter).not.toBe(result.bootIdBefore);
    expect(await bootCount()).toBe(bootsBefore + 2);
    const sequences = progress.flatMap((p) =>
      p.step === "event" && p.event.payload.type === "sequence" && p.event.payload.action === "START"
        ? [p.event.payload.sequence]
        : [],
    );
    expect(sequences[0]).toBe("stageUpgrade");
    expect(sequences).not.toContain("upgrade");
    expect(sequences).toContain("boot"); // seen after the reconnect, on the final boot
    expect(tasksSeen(progress)).not.toContain("upgrade"); // the install ran on the intermediate boot
    await expect(
      fleet.client.upgrade({
        node: node.address,
        image: `ghcr.io/siderolabs/installer:${tag}`,
        stage: true,
        path: "lifecycle",
      }),
    ).rejects.toThrow(/legacy Upgrade API/);
  });

  it("reports an upgrade that fails at a phase, with Talos's reason", async () => {
    const node = fleet.cluster.nodes.find(
      (n) => n.role === "controlplane" && versionAtLeast(n.talosVersion, "v1.13.0"),
    );
    if (!node) throw new Error("the test fleet needs a v1.13 control plane");
    await fault(node.address, { kind: "upgrade-fail", phase: "upgrade" });
    const before = await fleet.client.version({ node: node.address });
    const run = fleet.client.upgrade({
      node: node.address,
      image: `ghcr.io/siderolabs/installer:${targetFor(before.tag)}`,
      path: "legacy",
      timeoutMs: 60_000,
    });
    const err = (await run.catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/Upgrading to .* failed on node/);
    // However it failed, the node must be left running its old version.
    await waitRunning(node.address);
    expect((await fleet.client.version({ node: node.address })).tag).toBe(before.tag);
  });

  it("notices a node that reboots back into its old version", async () => {
    const node = fleet.cluster.nodes.filter(
      (n) => n.role === "controlplane" && n.talosVersion === "v1.13.2",
    )[1];
    if (!node) throw new Error("the test fleet needs a second v1.13.2 control plane");
    const before = await fleet.client.version({ node: node.address });
    await fault(node.address, { kind: "old-version" });
    const run = fleet.client.upgrade({
      node: node.address,
      image: `ghcr.io/siderolabs/installer:${targetFor(before.tag)}`,
      timeoutMs: 60_000,
    });
    await expect(run).rejects.toThrow(new RegExp(`runs ${before.tag}, not ${targetFor(before.tag)}`));
  });

  it("fails clearly when the installer image does not exist", async () => {
    const node = fleet.cluster.nodes[fleet.cluster.nodes.length - 1];
    if (!node) throw new Error("no node");
    const run = fleet.client.upgrade({
      node: node.address,
      image: "ghcr.io/siderolabs/installer:v0.0.0-nope",
      timeoutMs: 30_000,
    });
    await expect(run).rejects.toThrow(
      /Pulling ghcr\.io\/siderolabs\/installer:v0\.0\.0-nope.*(not found|does not exist)/s,
    );
  });

  it("runs the guard just before each request that changes the node, and sends nothing once it throws", async () => {
    const node = fleet.cluster.nodes.find(
      (n) => n.role === "worker" && versionAtLeast(n.talosVersion, "v1.13.0"),
    );
    if (!node) throw new Error("this seed has no node at Talos >= 1.13; pick another seed");
    await waitRunning(node.address);
    const before = await fleet.client.version({ node: node.address });
    const bootBefore = await fleet.client.bootId({ node: node.address });
    const guarded: number[] = [];
    const run = fleet.client.upgrade({
      node: node.address,
      image: `ghcr.io/siderolabs/installer:${targetFor(before.tag)}`,
      timeoutMs: 60_000,
      // Pull and install go ahead; the reboot is refused.
      guard: () => {
        guarded.push(guarded.length + 1);
        if (guarded.length === 3) throw new Error("no longer allowed to act");
      },
    });
    await expect(run).rejects.toThrow("no longer allowed to act");
    expect(guarded).toEqual([1, 2, 3]);
    // Installed (the node's own record), never rebooted into it.
    const detail = (await (await fetch(`${fleet.sim.controlUrl}/nodes/${node.address}`)).json()) as {
      upgradeCalls: { outcome: string }[];
    };
    expect(detail.upgradeCalls.at(-1)?.outcome).toBe("installed");
    expect(await fleet.client.bootId({ node: node.address })).toBe(bootBefore);
    expect((await fleet.client.version({ node: node.address })).tag).toBe(before.tag);
  });
});
