// Failures a user can meet come back as typed errors that say what to do: roles, unreachable nodes, deadlines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestFleet, type TestFleet } from "../testing/talos-fleet";
import {
  TalosCanceledError,
  TalosDeadlineExceededError,
  TalosPermissionDeniedError,
  TalosUnreachableError,
  TalosVersionTooOldError,
} from "./errors";

let fleet: TestFleet;
let cp: string;
let worker: string;

async function fault(node: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${fleet.sim.controlUrl}/nodes/${encodeURIComponent(node)}/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fault injection failed: ${res.status} ${await res.text()}`);
}

async function clearFaults(node: string): Promise<void> {
  await fetch(`${fleet.sim.controlUrl}/nodes/${encodeURIComponent(node)}/faults`, { method: "DELETE" });
}

beforeAll(async () => {
  // Seed "b" gives Talos v1.13.2 nodes and one v1.12.11 control plane.
  fleet = await startTestFleet({ nodesPerCluster: 4, seed: "b" });
  cp = fleet.cluster.nodes.find((n) => n.role === "controlplane")?.address ?? "";
  worker = fleet.cluster.nodes.find((n) => n.role === "worker")?.address ?? "";
  if (!cp || !worker) throw new Error("the test fleet needs a control plane and a worker");
});

afterAll(async () => {
  await fleet?.stop();
});

describe("roles", () => {
  it("refuses a reader a rollback, naming the role it needs", async () => {
    const reader = await fleet.clientWithRole("os:reader");
    expect(reader.roles).toEqual(["os:reader"]);
    expect((await reader.version({ node: worker })).tag).not.toBe("");
    const upgrade = reader.rollback({ node: worker });
    await expect(upgrade).rejects.toBeInstanceOf(TalosPermissionDeniedError);
    const err = (await upgrade.catch((e: unknown) => e)) as TalosPermissionDeniedError;
    expect(err.requiredRole).toBe("os:admin");
    expect(err.actualRoles).toEqual(["os:reader"]);
    expect(err.message).toMatch(/needs the os:admin role.*has os:reader/);
  });

  it("refuses a reader an image pull, asking for os:operator", async () => {
    const reader = await fleet.clientWithRole("os:reader");
    const pull = reader.pullImage({ node: worker, imageRef: "ghcr.io/siderolabs/installer:v1.13.9" });
    const err = (await pull.catch((e: unknown) => e)) as TalosPermissionDeniedError;
    expect(err).toBeInstanceOf(TalosPermissionDeniedError);
    expect(err.requiredRole).toBe("os:operator");
  });

  it("refuses an operator the machine config (it holds secrets) but lets it reboot-class calls through", async () => {
    const operator = await fleet.clientWithRole("os:operator");
    const config = operator.machineConfig({ node: cp });
    await expect(config).rejects.toBeInstanceOf(TalosPermissionDeniedError);
    await expect(config).rejects.toThrow(/needs the os:admin role/);
    expect(await operator.restartService({ node: worker, id: "kubelet" })).toMatch(/restarted/);
  });
});

describe("unreachable and slow nodes", () => {
  it("reports a node that refuses connections as unreachable, well within the deadline", async () => {
    await fault(worker, { kind: "unreachable", mode: "refused" });
    try {
      const started = Date.now();
      const call = fleet.client.version({ node: worker, timeoutMs: 3_000 });
      await expect(call).rejects.toBeInstanceOf(TalosUnreachableError);
      await expect(call).rejects.toThrow(
        new RegExp(`node ${worker.replace(/\./g, "\\.")}.*cannot be reached`),
      );
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await clearFaults(worker);
    }
    expect((await fleet.client.version({ node: worker })).tag).not.toBe("");
  });

  it("gives up on a node that never answers at the deadline", async () => {
    await fault(worker, { kind: "unreachable", mode: "hang" });
    try {
      const started = Date.now();
      const call = fleet.client.hostname({ node: worker, timeoutMs: 800 });
      await expect(call).rejects.toBeInstanceOf(TalosDeadlineExceededError);
      await expect(call).rejects.toThrow(/did not answer .* within 800 ms/);
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await clearFaults(worker);
    }
  });

  it("reports an endpoint nobody listens on as unreachable", async () => {
    const { TalosClient } = await import("./client");
    const dead = new TalosClient({ ...fleet.context, endpoints: ["127.0.0.1:1"] }, { pool: fleet.pool });
    const started = Date.now();
    await expect(dead.version({ timeoutMs: 2_000 })).rejects.toBeInstanceOf(TalosUnreachableError);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("fails over to the next endpoint when the first cannot be reached", async () => {
    const { TalosClient } = await import("./client");
    const client = new TalosClient(
      { ...fleet.context, endpoints: ["127.0.0.1:1", ...fleet.context.endpoints] },
      { pool: fleet.pool },
    );
    expect(await client.hostname({ node: worker, timeoutMs: 5_000 })).toBe(
      fleet.cluster.nodes.find((n) => n.address === worker)?.hostname,
    );
  });

  it("cancels a call when its signal aborts", async () => {
    await fault(worker, { kind: "slow", delayMs: 5_000 });
    try {
      const controller = new AbortController();
      const call = fleet.client.version({ node: worker, signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await expect(call).rejects.toBeInstanceOf(TalosCanceledError);
    } finally {
      await clearFaults(worker);
    }
  });
});

describe("versions", () => {
  it("explains that the image pull API needs Talos 1.13 on older nodes", async () => {
    const old = fleet.cluster.nodes.find((n) => !/^v1\.(1[3-9]|[2-9]\d)\./.test(n.talosVersion));
    if (!old) throw new Error("the test fleet needs a node older than Talos 1.13");
    const pull = fleet.client.pullImage({
      node: old.address,
      imageRef: "ghcr.io/siderolabs/installer:v1.13.9",
    });
    await expect(pull).rejects.toBeInstanceOf(TalosVersionTooOldError);
    await expect(pull).rejects.toThrow(/needs Talos v1\.13\.0 or newer/);
  });
});
