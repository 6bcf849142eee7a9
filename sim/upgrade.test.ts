// Upgrades as a client sees them: legacy Upgrade events and reboot, Pull + LifecycleService.Upgrade + Reboot, failures,
// and the simulator's own record of each upgrade request and how it ended.
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Event, PhaseEvent, SequenceEvent } from "@/proto/generated/machine/machine";
import { BootIDSpec } from "@/proto/generated/resource/definitions/runtime/runtime";
import { type Clients, collect, firstMessage, md, startTestSim, type TestSim, unary } from "./test-helpers";

let t: TestSim;
let c0: Clients;
let c1: Clients;
type SimNodeInfo = TestSim["sim"]["clusters"][number]["nodes"][number];
let n: { legacy: SimNodeInfo; lifecycle: SimNodeInfo; failing: SimNodeInfo; staged: SimNodeInfo };

beforeAll(async () => {
  t = await startTestSim({ clusters: 2, nodesPerCluster: 4, seed: "u2", timeScale: 200 });
  const [a, b] = t.sim.clusters;
  if (!a || !b) throw new Error("clusters");
  c0 = t.clients(a.endpoint);
  c1 = t.clients(b.endpoint);
  n = {
    legacy: a.nodes[2] as SimNodeInfo,
    lifecycle: a.nodes[3] as SimNodeInfo,
    failing: b.nodes[3] as SimNodeInfo,
    staged: b.nodes[2] as SimNodeInfo,
  };
});
afterAll(() => t.close());

const upgradeReq = (image: string) => ({ image, preserve: false, stage: false, force: false, rebootMode: 0 });
const evReq = (withActorId = "", tailEvents = 0) => ({ tailEvents, tailId: "", tailSeconds: 0, withActorId });
const typeOf = (e: Event) => e.data?.typeUrl.replace("talos/runtime/machine.", "") ?? "";

async function bootId(c: Clients, node: string): Promise<string> {
  const { res, err } = await unary(
    c.state.get,
    c.state,
    { namespace: "runtime", type: "BootIDs.runtime.talos.dev", id: "boot-id", options: {} },
    md({ node }),
  );
  if (err) throw err;
  return BootIDSpec.decode(res?.resource?.spec?.protoSpec ?? new Uint8Array()).bootId;
}

/** Polls Version through reboots (Unavailable while down) until the tag matches. */
async function waitVersion(c: Clients, node: string, tag: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { res } = await unary(c.machine.version, c.machine, {}, md({ node }), 1000);
    if (res?.messages[0]?.version?.tag === tag) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${node} never reported ${tag}`);
}

/** The simulator's record of the upgrade requests a node received (outcome per request). */
async function upgradeCalls(
  node: string,
): Promise<{ api: string; at: string; outcome: string; detail?: string; endedAt?: string }[]> {
  return ((await t.control("GET", `/nodes/${node}`)).json as { upgradeCalls: [] }).upgradeCalls;
}

async function waitRunning(c: Clients, node: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { res } = await unary(
      c.state.get,
      c.state,
      { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev", id: "machine", options: {} },
      md({ node }),
      1000,
    );
    if (
      res?.resource?.spec?.yamlSpec.includes("stage: running") &&
      res.resource.spec.yamlSpec.includes("ready: true")
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${node} never got back to running`);
}

describe("legacy Upgrade", () => {
  it("rejects unknown tags and bad references like Talos", async () => {
    const unknown = await unary(
      c0.machine.upgrade,
      c0.machine,
      upgradeReq("ghcr.io/siderolabs/installer:v9.9.9"),
      md({ node: n.lifecycle.address }),
    );
    expect(unknown.err?.code).toBe(status.UNKNOWN);
    expect(unknown.err?.details).toMatch(
      /^error validating installer image "ghcr.io\/siderolabs\/installer:v9.9.9": .*not found/,
    );
    const bad = await unary(
      c0.machine.upgrade,
      c0.machine,
      upgradeReq("Not A Ref!"),
      md({ node: n.lifecycle.address }),
    );
    expect(bad.err?.details).toMatch(
      /^error validating installer image "Not A Ref!": .*invalid reference format/,
    );
  });

  it("acks, runs the phases in order with the actor id, drops the connection, and comes back upgraded", async () => {
    const node = n.legacy.address;
    const before = await bootId(c0, node);
    const events = c0.machine.events(evReq(), md({ node }));
    const seen = collect(events, undefined, 10_000);
    await firstMessage(events); // hello: the subscription is live
    const { res, err } = await unary(
      c0.machine.upgrade,
      c0.machine,
      upgradeReq("ghcr.io/siderolabs/installer:v1.13.9"),
      md({ node }),
    );
    expect(err).toBeNull();
    expect(res?.messages[0]?.ack).toBe("Upgrade request received");
    const actor = res?.messages[0]?.actorId ?? "";
    const { msgs, err: streamErr } = await seen;
    expect(streamErr?.code).toBe(status.UNAVAILABLE); // apid stopped at stopEverything
    const mine = msgs.filter((e) => e.actorId === actor);
    const phases = mine.filter((e) => typeOf(e) === "PhaseEvent").map((e) => e.data?.value).length;
    expect(phases).toBeGreaterThan(20);
    const tasks = mine
      .filter((e) => typeOf(e) === "TaskEvent")
      .map((e) => Buffer.from(e.data?.value ?? []).toString("latin1"));
    expect(tasks[0]).toContain("denyNewServices");
    expect(tasks.at(-1)).toContain("stopAllServices");
    const first = mine.find((e) => typeOf(e) === "SequenceEvent");
    expect(SequenceEvent.decode(first?.data?.value ?? new Uint8Array()).sequence).toBe("upgrade");

    await waitVersion(c0, node, "v1.13.9");
    await waitRunning(c0, node);
    expect(await bootId(c0, node)).not.toBe(before);
    expect(await upgradeCalls(node)).toMatchObject([{ api: "MachineService.Upgrade", outcome: "booted" }]);
    // The stream follows for ever: read the replayed history up to the boot sequence's STOP (its last sequence
    // event), rather than for a fixed window that a loaded machine may not fill.
    const sequenceEvents = (msgs: Event[]) =>
      msgs
        .filter((e) => typeOf(e) === "SequenceEvent")
        .map((e) => SequenceEvent.decode(e.data?.value ?? new Uint8Array()));
    const history = await collect(
      c0.machine.events(evReq("", -1), md({ node })),
      (m) => sequenceEvents(m).some((s) => s.sequence === "boot" && s.action === 2),
      10_000,
    );
    const sequences = sequenceEvents(history.msgs).map((s) => s.sequence);
    expect(sequences[0]).toBe("initialize");
    expect(sequences).toContain("boot");
    expect(sequences).not.toContain("upgrade");
  });

  it("stages with stage=true: stageUpgrade sequence, then two reboots (install on the next boot) into the new version", async () => {
    const node = n.staged.address;
    const info = async () =>
      (await t.control("GET", `/nodes/${node}`)).json as { bootCount: number; talosVersion: string };
    const before = await info();
    const tag = before.talosVersion === "v1.13.9" ? "v1.14.0-rc.1" : "v1.13.9";
    const stream = c1.machine.events(evReq(), md({ node }));
    const seen = collect(stream, undefined, 10_000);
    await firstMessage(stream);
    const { res, err } = await unary(
      c1.machine.upgrade,
      c1.machine,
      { ...upgradeReq(`ghcr.io/siderolabs/installer:${tag}`), stage: true },
      md({ node }),
    );
    expect(err).toBeNull();
    const actor = res?.messages[0]?.actorId ?? "";
    const { msgs, err: streamErr } = await seen;
    expect(streamErr?.code).toBe(status.UNAVAILABLE);
    const mine = msgs.filter((e) => e.actorId === actor);
    const sequences = mine
      .filter((e) => typeOf(e) === "SequenceEvent")
      .map((e) => SequenceEvent.decode(e.data?.value ?? new Uint8Array()).sequence);
    expect(sequences[0]).toBe("stageUpgrade");
    const phases = mine
      .filter((e) => typeOf(e) === "PhaseEvent")
      .map((e) => PhaseEvent.decode(e.data?.value ?? new Uint8Array()))
      .filter((p) => p.action === 0)
      .map((p) => p.phase);
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
    ]); // the stream drops at stopEverything; no upgrade phase: the install runs on the next boot
    await waitVersion(c1, node, tag, 15_000);
    await waitRunning(c1, node);
    const after = await info();
    expect(after.talosVersion).not.toBe(before.talosVersion);
    expect(after.bootCount - before.bootCount).toBe(2);
  });

  it("fails at a chosen phase and comes back on the old version", async () => {
    const node = n.failing.address;
    const old = n.failing.talosVersion;
    await t.control("POST", `/nodes/${node}/faults`, { kind: "upgrade-fail", phase: "upgrade" });
    const stream = c1.machine.events(evReq(), md({ node }));
    const seen = collect(stream, undefined, 10_000);
    await firstMessage(stream);
    await unary(
      c1.machine.upgrade,
      c1.machine,
      upgradeReq("ghcr.io/siderolabs/installer:v1.13.9"),
      md({ node }),
    );
    const { msgs } = await seen;
    const sequenceEvents = msgs
      .filter((e) => typeOf(e) === "SequenceEvent")
      .map((e) => SequenceEvent.decode(e.data?.value ?? new Uint8Array()));
    const errors = sequenceEvents.filter((s) => s.error);
    expect(errors[0]?.error?.message).toBe(
      "sequence failed: error running phase 11 in upgrade sequence: task 1/1: failed, failed to run installer: exit status 1",
    );
    expect(errors[0]?.error?.code).toBe(0); // FATAL
    expect(errors[0]?.action).toBe(0); // NOOP
    // machined publishes the sequence's STOP (deferred in run()) before Run() publishes the failure
    expect(sequenceEvents.map((s) => `${s.sequence}/${s.action}`)).toEqual([
      "upgrade/1",
      "upgrade/2",
      "upgrade/0",
    ]);
    await waitRunning(c1, node);
    await waitVersion(c1, node, old);
    expect(await upgradeCalls(node)).toMatchObject([
      {
        api: "MachineService.Upgrade",
        outcome: "failed",
        detail: "the upgrade sequence failed at phase upgrade",
        endedAt: expect.any(String),
      },
    ]);
  });
});

describe("sequence lock", () => {
  it("refuses a second sequence while one runs with a LOCKED event in machined's words; both calls succeed", async () => {
    const node = t.sim.clusters[0]?.nodes[1]?.address ?? "";
    const stream = c0.machine.events(evReq(), md({ node }));
    const seen = collect(stream, undefined, 10_000);
    await firstMessage(stream);
    const first = await unary(c0.machine.reboot, c0.machine, { mode: 0 }, md({ node }));
    const second = await unary(c0.machine.reboot, c0.machine, { mode: 0 }, md({ node }));
    expect(first.err).toBeNull();
    expect(second.err).toBeNull();
    const secondActor = second.res?.messages[0]?.actorId ?? "";
    const { msgs } = await seen;
    const locked = msgs
      .filter((e) => e.actorId === secondActor && typeOf(e) === "SequenceEvent")
      .map((e) => SequenceEvent.decode(e.data?.value ?? new Uint8Array()));
    expect(locked).toHaveLength(1);
    expect(locked[0]?.action).toBe(0); // NOOP
    expect(locked[0]?.error).toMatchObject({ code: 1, message: "sequence not started: locked" }); // LOCKED
    await waitRunning(c0, node);
  });
});

describe("ImageService.Pull + LifecycleService.Upgrade + Reboot (1.13+)", () => {
  it("pulls with layer progress, streams installer output with exit code 0, and boots the new version after Reboot", async () => {
    const node = n.lifecycle.address;
    const image = "ghcr.io/siderolabs/installer:v1.13.9";
    const pull = await collect(
      c0.image.pull({ containerd: { driver: 0, namespace: 1 }, imageRef: image }, md({ node })),
    );
    expect(pull.err).toBeNull();
    expect(pull.msgs.some((m) => m.response?.$case === "pullProgress")).toBe(true);
    expect(pull.msgs.at(-1)?.response).toEqual({ $case: "name", value: image });
    const up = await collect(
      c0.lifecycle.upgrade(
        { containerd: { driver: 0, namespace: 1 }, source: { imageName: image } },
        md({ node }),
      ),
    );
    expect(up.err).toBeNull();
    const last = up.msgs.at(-1)?.progress?.response;
    expect(last).toEqual({ $case: "exitCode", value: 0 });
    const first = up.msgs[0]?.progress?.response;
    expect(first?.$case === "message" && first.value.endsWith("\n")).toBe(true);
    const still = await unary(c0.machine.version, c0.machine, {}, md({ node }));
    expect(still.res?.messages[0]?.version?.tag).toBe(n.lifecycle.talosVersion);
    // Installed, not in effect before the reboot: still in flight.
    const installed = (await upgradeCalls(node)).at(-1);
    expect(installed).toMatchObject({ api: "LifecycleService.Upgrade", outcome: "installed" });
    expect(installed?.endedAt).toBeUndefined();
    const rb = await unary(c0.machine.reboot, c0.machine, { mode: 0 }, md({ node }));
    expect(rb.res?.messages[0]?.actorId).toMatch(/^[0-9a-f-]{36}$/);
    await waitVersion(c0, node, "v1.13.9");
    await waitRunning(c0, node);
    const booted = (await upgradeCalls(node)).at(-1);
    expect(booted).toMatchObject({ outcome: "booted" });
    // In flight from the request until the node booted into it.
    expect(Date.parse(booted?.endedAt ?? "")).toBeGreaterThan(Date.parse(booted?.at ?? ""));
  });

  it("records an install the caller went away from as cancelled", async () => {
    // In real time, so the installer is surely still running when the caller goes away.
    const slow = await startTestSim({ clusters: 2, nodesPerCluster: 4, seed: "u2", timeScale: 1 });
    try {
      const cluster = slow.sim.clusters[0];
      if (!cluster) throw new Error("cluster");
      const c = slow.clients(cluster.endpoint);
      const node = n.lifecycle.address;
      const call = c.lifecycle.upgrade(
        {
          containerd: { driver: 0, namespace: 1 },
          source: { imageName: "ghcr.io/siderolabs/installer:v1.13.9" },
        },
        md({ node }),
      );
      const done = collect(call);
      await firstMessage(call); // "pulling installer image …"
      call.cancel();
      expect((await done).err?.code).toBe(status.CANCELLED);
      const calls = async () =>
        ((await slow.control("GET", `/nodes/${node}`)).json as { upgradeCalls: { outcome: string }[] })
          .upgradeCalls;
      const until = Date.now() + 10_000;
      while ((await calls()).at(-1)?.outcome === "installing" && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      expect(await calls()).toMatchObject([{ api: "LifecycleService.Upgrade", outcome: "cancelled" }]);
    } finally {
      await slow.close();
    }
  });

  it("is Unimplemented on nodes older than 1.13 and refuses one-to-many", async () => {
    const old = await collect(
      c0.image.pull(
        { containerd: undefined, imageRef: "ghcr.io/siderolabs/installer:v1.13.9" },
        md({ node: n.legacy.address === "" ? "" : (t.sim.clusters[1]?.nodes[0]?.address ?? "") }),
      ),
    );
    expect([status.UNAVAILABLE, status.UNIMPLEMENTED]).toContain(old.err?.code);
    const many = await collect(
      c0.lifecycle.upgrade(
        { containerd: undefined, source: { imageName: "x" } },
        md({ nodes: n.lifecycle.address }),
      ),
    );
    expect(many.err?.code).toBe(status.INVALID_ARGUMENT);
  });
});
