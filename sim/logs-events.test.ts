// Logs in 1 KiB chunks not aligned to lines (tail, follow), dmesg records, and the events ring with its tail options.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Data } from "@/proto/generated/common/common";
import {
  type Event,
  ServiceStateEvent,
  serviceStateEvent_ActionToJSON,
} from "@/proto/generated/machine/machine";
import { EventRing, RING_REPLAYABLE } from "./event-ring";
import { xidTime } from "./ids";
import { collect, firstMessage, md, startTestSim, type TestSim, unary } from "./test-helpers";

let t: TestSim;
let worker: string;
let c: ReturnType<TestSim["clients"]>;

beforeAll(async () => {
  t = await startTestSim({ clusters: 1, nodesPerCluster: 4, seed: "logs" });
  const cl = t.sim.clusters[0];
  if (!cl) throw new Error("no cluster");
  worker = cl.nodes[3]?.address ?? "";
  c = t.clients(cl.endpoint);
});
afterAll(() => t.close());

const logsReq = (id: string, tailLines: number, follow = false) => ({
  namespace: "system",
  id,
  driver: 0,
  follow,
  tailLines,
});
const text = (msgs: Data[]) => Buffer.concat(msgs.map((m) => m.bytes)).toString("utf8");

describe("logs", () => {
  it("streams whole logs in chunks of at most 1024 bytes that split lines", async () => {
    const { msgs, err } = await collect(c.machine.logs(logsReq("kubelet", -1), md({ node: worker })));
    expect(err).toBeNull();
    expect(msgs.length).toBeGreaterThan(2);
    for (const m of msgs) expect(m.bytes.length).toBeLessThanOrEqual(1024);
    expect(msgs.some((m) => !m.bytes.toString().endsWith("\n"))).toBe(true);
    const lines = text(msgs).split("\n").filter(Boolean);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(JSON.parse(lines[0] ?? "{}")).toHaveProperty("ts");
  });

  it("honours tail_lines and the machined text format", async () => {
    const { msgs } = await collect(c.machine.logs(logsReq("machined", 3), md({ node: worker })));
    const lines = text(msgs).split("\n").filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} \[talos\] /);
  });

  it("follows: a service restart shows up in machined's log", async () => {
    const stream = c.machine.logs(logsReq("machined", 0, true), md({ node: worker }));
    const got = collect(stream, (m) => text(m).includes("service[kubelet](Stopping)"), 5000);
    await new Promise((r) => setTimeout(r, 100));
    const r = await unary(c.machine.serviceRestart, c.machine, { id: "kubelet" }, md({ node: worker }));
    expect(r.res?.messages[0]?.resp).toBe('Service "kubelet" restarted');
    expect(text((await got).msgs)).toContain("service[kubelet](Stopping)");
  });

  it("fails like Talos for an unknown log id and lists the written ones", async () => {
    const { err } = await collect(c.machine.logs(logsReq("nope", -1), md({ node: worker })));
    expect(err?.details).toBe('log "nope" was not registered');
    const ids = await unary(c.machine.logsContainers, c.machine, {}, md({ node: worker }));
    expect(ids.res?.messages[0]?.ids).toEqual(
      expect.arrayContaining(["machined", "kubelet", "controller-runtime"]),
    );
  });

  it("sends one kernel record per message", async () => {
    const { msgs } = await collect(c.machine.dmesg({ follow: false, tail: false }, md({ node: worker })));
    expect(msgs.length).toBeGreaterThan(5);
    expect(msgs[0]?.bytes.toString()).toMatch(
      /^kern: {2}notice: \[\d{4}-\d\d-\d\dT[\d:.]+Z\]: Linux version /,
    );
  });
});

describe("events", () => {
  const evReq = (
    o: Partial<{ tailEvents: number; tailId: string; tailSeconds: number; withActorId: string }>,
  ) => ({
    tailEvents: 0,
    tailId: "",
    tailSeconds: 0,
    withActorId: "",
    ...o,
  });

  it("announces a service fault and its clearing with ServiceStateEvents, as Talos does", async () => {
    const kubelet = (m: Event) => {
      if (m.data?.typeUrl !== "talos/runtime/machine.ServiceStateEvent") return undefined;
      const e = ServiceStateEvent.decode(m.data.value);
      return e.service === "kubelet" ? serviceStateEvent_ActionToJSON(e.action) : undefined;
    };
    const stream = c.machine.events(evReq({}), md({ node: worker }));
    // From the fault on: a kubelet still starting from the node's boot may announce itself first.
    const fromFault = (m: Event[]) => {
      const actions = m.map(kubelet).filter(Boolean);
      const failed = actions.indexOf("FAILED");
      return failed < 0 ? [] : actions.slice(failed);
    };
    const opened = new Promise<void>((r) => stream.once("data", () => r()));
    const seen = collect(stream, (m) => fromFault(m).includes("RUNNING"));
    await opened; // the hello event arrived: the stream follows from here, even on a loaded machine
    await t.control("POST", `/nodes/${worker}/faults`, {
      kind: "service",
      service: "kubelet",
      mode: "failed",
    });
    await t.control("DELETE", `/nodes/${worker}/faults/service?service=kubelet`);
    const { msgs } = await seen;
    expect(fromFault(msgs)).toEqual(["FAILED", "RUNNING"]);
  });

  it("starts every stream with the hello event, then the requested history", async () => {
    const { msgs } = await collect(
      c.machine.events(evReq({ tailEvents: 5 }), md({ node: worker })),
      (m) => m.length >= 6,
    );
    const [hello, ...rest] = msgs;
    expect(hello?.data?.typeUrl).toBe("");
    expect(hello?.id).toMatch(/^[0-9a-v]{20}$/);
    expect(rest).toHaveLength(5);
    for (const e of rest) expect(e.data?.typeUrl).toMatch(/^talos\/runtime\/machine\.\w+Event$/);
  });

  it("replays the boot sequences with tail_events=-1 and resumes after tail_id", async () => {
    // The history of the boot ends with the MachineStatusEvent of stage RUNNING, after the two sequences: read up
    // to it (the stream itself follows for ever) rather than for a fixed window a loaded machine may not fill.
    const isSeq = (e: Event) => e.data?.typeUrl === "talos/runtime/machine.SequenceEvent";
    const all = await collect(
      c.machine.events(evReq({ tailEvents: -1 }), md({ node: worker })),
      (m) =>
        m.filter(isSeq).length >= 4 && m.at(-1)?.data?.typeUrl === "talos/runtime/machine.MachineStatusEvent",
      10_000,
    );
    const history = all.msgs.slice(1);
    const seqs = history.filter(isSeq);
    expect(seqs.length).toBeGreaterThanOrEqual(4);
    const pivot = history[history.length - 3] as Event;
    const after = await collect(
      c.machine.events(evReq({ tailId: pivot.id }), md({ node: worker })),
      (m) => m.length >= 3,
      10_000,
    );
    expect(after.msgs.slice(1).map((e) => e.id)).toEqual(history.slice(-2).map((e) => e.id));
  });

  it("gives ids that ascend with time across the boot history and live events, as rs/xid ids do", async () => {
    const node = t.sim.clusters[0]?.nodes[1]?.address ?? "";
    const isLiveKubelet = (e: Event) =>
      e.data?.typeUrl === "talos/runtime/machine.ServiceStateEvent" &&
      Buffer.from(e.data.value).toString("latin1").includes("Service is stopping");
    const sub = c.machine.events(evReq({ tailEvents: -1 }), md({ node }));
    const stream = collect(sub, (m) => m.filter(isLiveKubelet).length > 0 && m.length > 60, 10_000);
    await firstMessage(sub);
    const r = await unary(c.machine.serviceRestart, c.machine, { id: "kubelet" }, md({ node }));
    expect(r.err).toBeNull();
    const { msgs } = await stream;
    const events = msgs.slice(1); // after hello
    expect(events.some(isLiveKubelet)).toBe(true);
    expect(events.length).toBeGreaterThan(60);
    const ids = events.map((e) => e.id);
    for (let i = 1; i < ids.length; i++)
      expect((ids[i] ?? "") > (ids[i - 1] ?? ""), `${i}: ${ids[i]}`).toBe(true);
    const times = ids.map((id) => xidTime(id) ?? 0);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] as number);
  });

  it("filters by actor id and still says hello with it", async () => {
    const events = c.machine.events(evReq({ withActorId: "" }), md({ node: worker }));
    const got = collect(events, (m) => m.some((e) => e.actorId !== ""), 10_000);
    await firstMessage(events);
    await unary(c.machine.reboot, c.machine, { mode: 0 }, md({ node: worker }));
    const { msgs } = await got;
    const actor = msgs.find((e) => e.actorId)?.actorId ?? "";
    expect(actor).toMatch(/^[0-9a-f-]{36}$/);
    // the node goes down with the reboot; filtered history from another node of the same kind is checked on the ring
    const ring = new EventRing();
    for (let i = 0; i < 1200; i++)
      ring.push({
        id: String(i).padStart(20, "0"),
        timeMs: i,
        actorId: i % 2 ? "a" : "",
        payload: { type: "TaskEvent", task: "t", action: 0 },
      });
    expect(ring.history({ tailEvents: -1, tailId: "", tailSeconds: 0 })).toHaveLength(RING_REPLAYABLE);
    expect(ring.size).toBe(1000);
  });
});
