// Streams from a simulated node over real mTLS: logs as whole lines (tail, follow), kernel messages, events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startTestFleet, type TestFleet } from "../testing/talos-fleet";
import { TalosRequestError } from "./errors";
import type { TalosEvent } from "./event-decoder";

let fleet: TestFleet;
let cp: string;
let worker: string;
const MACHINED_LINE = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} \[talos\] /;

beforeAll(async () => {
  fleet = await startTestFleet({ nodesPerCluster: 4 });
  cp = fleet.cluster.nodes.find((n) => n.role === "controlplane")?.address ?? "";
  worker = fleet.cluster.nodes.find((n) => n.role === "worker")?.address ?? "";
  if (!cp || !worker) throw new Error("the test fleet needs a control plane and a worker");
});

afterAll(async () => {
  await fleet?.stop();
});

describe("logs", () => {
  it("lists the log ids a node has written", async () => {
    const ids = await fleet.client.logsContainers({ node: cp });
    expect(ids).toEqual(expect.arrayContaining(["machined", "apid", "etcd", "kubelet"]));
  });

  it("reassembles whole lines from 1 KiB chunks, for the whole buffer", async () => {
    const lines = await collect(fleet.client.logs({ node: cp, id: "machined" }), { ms: 10_000 });
    expect(lines.length).toBeGreaterThan(20);
    const total = lines.reduce((n, l) => n + l.length + 1, 0);
    expect(total).toBeGreaterThan(1024); // several chunks, so boundaries were crossed
    for (const line of lines) expect(line).toMatch(MACHINED_LINE);
  });

  it("reads JSON service logs line by line", async () => {
    const lines = await collect(fleet.client.logs({ node: cp, id: "etcd", tailLines: 20 }), { ms: 10_000 });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("returns exactly the last N lines with tailLines", async () => {
    // The log keeps growing (periodic lines), so read the tail first and then the whole buffer: the tail must be
    // five consecutive lines of it, followed only by lines written since.
    const last = await collect(fleet.client.logs({ node: cp, id: "machined", tailLines: 5 }), { ms: 10_000 });
    const all = await collect(fleet.client.logs({ node: cp, id: "machined" }), { ms: 10_000 });
    expect(last).toHaveLength(5);
    const head = (l: string | undefined) => l?.slice(0, 40);
    const at = all.findIndex((l) => head(l) === head(last[0]));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(all.slice(at, at + 5).map(head)).toEqual(last.map(head));
    const stamp = (l: string | undefined) => l?.slice(0, 26) ?? "";
    for (const newer of all.slice(at + 5)) expect(stamp(newer) >= stamp(last[4])).toBe(true);
    expect(
      await collect(fleet.client.logs({ node: cp, id: "machined", tailLines: 0 }), { ms: 5_000 }),
    ).toEqual([]);
  });

  it("follows new lines until aborted", async () => {
    const controller = new AbortController();
    const stream = fleet.client.logs({
      node: worker,
      id: "machined",
      follow: true,
      tailLines: 0,
      signal: controller.signal,
    });
    const pending = collect(stream, { count: 1, ms: 15_000, controller });
    // Restarting kubelet makes machined log the service's state changes.
    await fleet.client.restartService({ node: worker, id: "kubelet" });
    const lines = await pending;
    controller.abort();
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(MACHINED_LINE);
  });

  it("ends a followed stream quietly when the caller aborts", async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    setTimeout(() => controller.abort(), 300);
    for await (const line of fleet.client.logs({
      node: cp,
      id: "machined",
      follow: true,
      signal: controller.signal,
    })) {
      lines.push(line);
    }
    expect(controller.signal.aborted).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
  });

  it("reports an unknown log id with Talos's message", async () => {
    const run = collect(fleet.client.logs({ node: cp, id: "nonexistent" }), { ms: 5_000 });
    await expect(run).rejects.toBeInstanceOf(TalosRequestError);
    await expect(collect(fleet.client.logs({ node: cp, id: "nonexistent" }), { ms: 5_000 })).rejects.toThrow(
      /log "nonexistent" was not registered/,
    );
  });
});

describe("dmesg", () => {
  it("streams formatted kernel records", async () => {
    const lines = await collect(fleet.client.dmesg({ node: cp }), { ms: 10_000 });
    // machined sends one record per message, without a newline: one record per item, never glued together
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      expect(line).toMatch(/^\w+: +\w+: \[\d{4}-\d\d-\d\dT[^\]]+\]: /);
      expect(line.match(/\]: /g)).toHaveLength(1);
    }
  });
});

describe("events", () => {
  /**
   * Reads an Events stream after hello: `count` events when the test knows how many, otherwise until the stream
   * has been quiet for `quietMs` (history arrives in one burst after hello), so a loaded machine that takes
   * longer to deliver the burst does not cut it short.
   */
  async function readEvents(
    opts: Parameters<TestFleet["client"]["events"]>[0],
    { count, quietMs = 300 }: { count?: number; quietMs?: number } = {},
  ): Promise<TalosEvent[]> {
    const controller = new AbortController();
    const stream = fleet.client.events({ ...opts, signal: controller.signal });
    await stream.ready;
    const out: TalosEvent[] = [];
    let quiet = setTimeout(() => controller.abort(), quietMs);
    const hardStop = setTimeout(() => controller.abort(), 10_000);
    try {
      for await (const e of stream) {
        out.push(e);
        if (count !== undefined && out.length >= count) break;
        clearTimeout(quiet);
        quiet = setTimeout(() => controller.abort(), quietMs);
      }
    } finally {
      clearTimeout(quiet);
      clearTimeout(hardStop);
      controller.abort();
    }
    return out;
  }

  it("says hello, then replays the requested history", async () => {
    const all = await readEvents({ node: cp, tailEvents: -1 });
    expect(all.length).toBeGreaterThan(5);
    const types = new Set(all.map((e) => e.payload.type));
    expect(types).toContain("sequence");
    expect(types).toContain("machineStatus");
    for (const e of all) expect(e.id).toMatch(/^[0-9a-v]{20}$/);
    const ids = all.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);

    const last3 = await readEvents({ node: cp, tailEvents: 3 }, { count: 3 });
    expect(last3.map((e) => e.id)).toEqual(ids.slice(-3));

    const afterId = await readEvents({ node: cp, tailId: ids[ids.length - 4] }, { count: 3 });
    expect(afterId.map((e) => e.id)).toEqual(ids.slice(-3));

    const none = await readEvents({ node: cp, tailEvents: 0 });
    expect(none).toEqual([]);

    // The node booted long ago: only what happens now falls within the last minute.
    await fleet.client.restartService({ node: cp, id: "kubelet" });
    const recent = await readEvents({ node: cp, tailSeconds: 60 });
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThan(all.length);
    expect(recent.every((e) => !ids.includes(e.id))).toBe(true);
    expect(recent.some((e) => e.payload.type === "serviceState" && e.payload.service === "kubelet")).toBe(
      true,
    );
  });

  it("filters by actor and delivers live events after hello", async () => {
    const controller = new AbortController();
    const stream = fleet.client.events({ node: worker, signal: controller.signal });
    await stream.ready;
    await fleet.client.restartService({ node: worker, id: "kubelet" });
    const live = await collect(stream, { count: 1, ms: 10_000, controller });
    controller.abort();
    expect(live[0]?.payload).toMatchObject({ type: "serviceState", service: "kubelet" });

    const filtered = await readEvents({ node: cp, tailEvents: -1, actorId: "no-such-actor" });
    expect(filtered).toEqual([]);
  });
});
