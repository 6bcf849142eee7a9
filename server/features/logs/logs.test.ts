// Live logs end to end: the app's tRPC route over real HTTP server-sent events, the simulator over
// mTLS, a real Postgres. Lines arrive whole and on time, merge in time order, resume without repeats
// after a dropped connection; node streams end when the viewer leaves; limits, roles and hostile lines.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "@/sim";
import { LogStreamBuffer } from "../../../app/_components/log-viewer/log-stream-buffer";
import { createApiToken } from "../../access/auth/api-tokens";
import { type LogFrame, unpackFrame } from "../../model/log-frame";
import type { LogEntry, LogLine } from "../../model/log-lines";
import { setInstanceSecretKey } from "../../platform/secrets/instance-key";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { closeSharedPool } from "../../talos";
import { clearFaults, eventually, injectFault, seedFleet } from "../../testing/collector-fleet";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { type SseTestServer, sseClient, startSseTestServer } from "../../testing/sse-server";
import { createUser } from "../users/create-user";
import { MAX_LINE_CHARS } from "./line-text";
import { openStreams } from "./stream-limits";

const PER_USER = 20;
process.env.MINOS_LOG_STREAMS_PER_USER = String(PER_USER);

let database: TestDatabase;
let sim: RunningSimulator;
let stateDir: string;
let http: SseTestServer;
const tokens: Record<"operator" | "viewer" | "limited", string> = { operator: "", viewer: "", limited: "" };
const userIds: Record<string, string> = {};

type Client = ReturnType<typeof sseClient>;
const client = (who: keyof typeof tokens): Client => sseClient(http.url, tokens[who]);

const node = (cluster: number, index: number) => {
  const n = sim.clusters[cluster]?.nodes[index];
  if (!n) throw new Error("no such node");
  return n;
};
const machineId = async (hostname: string) =>
  (await database.db.machine.findFirstOrThrow({ where: { hostname } })).id;

async function nodeDetail(address: string): Promise<{ openLogStreams: number; stage: string }> {
  return (await fetch(`${sim.controlUrl}/nodes/${address}`)).json() as Promise<{
    openLogStreams: number;
    stage: string;
  }>;
}

async function writeLines(address: string, log: string, body: { lines?: string[]; base64?: string[] }) {
  const res = await fetch(`${sim.controlUrl}/nodes/${address}/logs/${log}`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`lines not written: ${await res.text()}`);
}

interface Watch {
  /** Lines in arrival order. */
  lines: LogLine[];
  markers: LogEntry[];
  /** The browser's merge of everything received. */
  merged: LogStreamBuffer;
  frames: LogFrame[];
  error: () => string | undefined;
  status: (machineId: string) => string | undefined;
  started: Promise<void>;
  stop(): void;
}

function watch(
  c: Client,
  input: { machineIds: string[]; source: string; tailLines?: number; follow?: boolean },
): Watch {
  const lines: LogLine[] = [];
  const markers: LogEntry[] = [];
  const frames: LogFrame[] = [];
  const merged = new LogStreamBuffer(input.machineIds, 1_000_000);
  let error: string | undefined;
  let onStarted: () => void = () => {};
  const started = new Promise<void>((r) => {
    onStarted = r;
  });
  const sub = c.logs.follow.subscribe(
    { tailLines: 0, follow: true, ...input },
    {
      onStarted: () => onStarted(),
      onData: ({ data: packed }) => {
        const data = unpackFrame(packed);
        frames.push(data);
        const own = new LogStreamBuffer(input.machineIds, 1_000_000);
        own.ingest(data);
        own.flush();
        merged.ingest(data);
        merged.flush();
        for (let i = 0; i < data.text.length; i++) {
          lines.push({
            type: "line",
            seq: lines.length,
            machineId: input.machineIds[data.machine[i] as number] as string,
            time: data.time[i] as number,
            text: data.text[i] as string,
          });
        }
        for (const e of own.entries) if (e.type === "marker") markers.push(e);
      },
      onError: (err) => {
        error = err.message;
      },
    },
  );
  return {
    lines,
    markers,
    merged,
    frames,
    error: () => error,
    status: (id) => merged.states.get(id)?.status,
    started,
    stop: () => sub.unsubscribe(),
  };
}

const texts = (w: Watch) => w.lines.map((l) => l.text);

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-logs-"));
  const secretKey = await loadSecretKey({ dataDir: stateDir });
  setInstanceSecretKey(secretKey);
  database = await createTestDatabase(); // its audit head signed with that key
  process.env.DATABASE_URL = database.url;
  sim = await startSimulator({ clusters: 2, nodesPerCluster: 3, port: 0, stateDir, seed: "logs" });
  await seedFleet(database.db, sim, secretKey);
  await database.db.cluster.update({
    where: { name: sim.clusters[1]?.name },
    data: { site: "us/ny/albany" },
  });
  const users = [
    { username: "olga", role: "operator" as const, scope: "", key: "operator" as const },
    { username: "vera", role: "viewer" as const, scope: "", key: "viewer" as const },
    // an operator only for the second cluster's site
    { username: "lena", role: "operator" as const, scope: "site:us/ny/albany", key: "limited" as const },
  ];
  for (const u of users) {
    const { id } = await createUser(database.db, {
      username: u.username,
      password: "correct horse battery staple",
      grants: [{ role: u.role, scope: u.scope }],
    });
    userIds[u.username] = id;
    tokens[u.key] = (
      await createApiToken(database.db, {
        ownerId: id,
        name: "test",
        role: u.role,
        scope: u.scope,
        expiresInDays: 1,
        creator: "cli",
      })
    ).token;
  }
  http = await startSseTestServer();
}, 60_000);

afterAll(async () => {
  await http?.close();
  closeSharedPool();
  await sim?.stop();
  await database?.drop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("live logs over server-sent events", { timeout: 30_000 }, () => {
  it("lists the sources each machine has, kernel included, and hides machines out of scope", async () => {
    const a = node(0, 1);
    const id = await machineId(a.hostname);
    const [m] = await client("operator").logs.sources.query({ machineIds: [id] });
    expect(m?.hostname).toBe(a.hostname);
    expect(m?.sources).toEqual(expect.arrayContaining(["machined", "kubelet", "containerd", "apid"]));
    expect(m?.sources.at(-1)).toBe("kernel");
    await expect(client("limited").logs.sources.query({ machineIds: [id] })).rejects.toThrow(
      "No such machine, or it is outside your scope.",
    );
  });

  it("delivers lines whole however the node cut its chunks, multi-byte characters included", async () => {
    const a = node(0, 1);
    const id = await machineId(a.hostname);
    const written = Array.from({ length: 40 }, (_, i) => `line ${i} ${"é€😀 ".repeat(50 + i * 7)}end ${i}`);
    await writeLines(a.address, "containerd", { lines: written });
    const w = watch(client("operator"), {
      machineIds: [id],
      source: "containerd",
      tailLines: 40,
      follow: false,
    });
    await eventually(async () => w.status(id) === "ended", 10_000, "the log to end");
    expect(texts(w)).toEqual(written);
    expect(texts(w).join("")).not.toContain("\uFFFD");
    expect(w.merged.states.get(id)?.message).toBe("end of log (40 lines)");
  });

  it("follows: a new line reaches the subscriber within 200 ms", async () => {
    const a = node(0, 2);
    const id = await machineId(a.hostname);
    const w = watch(client("operator"), { machineIds: [id], source: "apid" });
    await eventually(async () => w.status(id) === "streaming", 10_000, "streaming");
    await new Promise((r) => setTimeout(r, 300)); // the stream is open at the node
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const text = `fresh line ${i} ${Date.now()}`;
      const sent = performance.now();
      await writeLines(a.address, "apid", { lines: [text] });
      await eventually(async () => texts(w).includes(text), 2_000, `line ${i}`);
      times.push(performance.now() - sent);
    }
    w.stop();
    times.sort((x, y) => x - y);
    expect(times[2]).toBeLessThan(200); // median, so one scheduling hiccup on a loaded machine does not decide
  });

  it("merges several machines in time order, each machine's lines in their own order", async () => {
    const [a, b, c] = [node(0, 0), node(0, 1), node(0, 2)];
    const ids = await Promise.all([a, b, c].map((n) => machineId(n.hostname)));
    const base = Date.now() - 60_000;
    const stamp = (ms: number) =>
      new Date(ms).toISOString().replace("T", " ").replace("Z", "").replaceAll("-", "/");
    // machined's format: 2006/01/02 15:04:05.000000 [talos] …; b's lines interleave a's and c's
    const lineAt = (ms: number, who: string, k: number) => `${stamp(ms)}000 [talos] merge-test ${who} ${k}`;
    await writeLines(a.address, "machined", {
      lines: [0, 3, 6, 9].map((k) => lineAt(base + k * 10, "a", k)),
    });
    await writeLines(b.address, "machined", {
      lines: [1, 4, 7, 10].map((k) => lineAt(base + k * 10, "b", k)),
    });
    await writeLines(c.address, "machined", {
      lines: [2, 5, 8, 11].map((k) => lineAt(base + k * 10, "c", k)),
    });
    const w = watch(client("operator"), { machineIds: ids, source: "machined", tailLines: 4, follow: false });
    await eventually(async () => ids.every((id) => w.status(id) === "ended"), 10_000, "all three to end");
    const order = w.merged.entries
      .filter((e): e is LogLine => e.type === "line")
      .map((e) => /merge-test (\w) (\d+)/.exec(e.text)?.slice(1).join(""));
    expect(order).toEqual(["a0", "b1", "c2", "a3", "b4", "c5", "a6", "b7", "c8", "a9", "b10", "c11"]);
    const times = w.merged.entries.map((e) => e.time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it("cancels the node's stream as soon as the subscriber leaves", async () => {
    const a = node(1, 1);
    const id = await machineId(a.hostname);
    const before = (await nodeDetail(a.address)).openLogStreams;
    const w = watch(client("operator"), { machineIds: [id], source: "kubelet" });
    await eventually(
      async () => (await nodeDetail(a.address)).openLogStreams === before + 1,
      10_000,
      "stream open",
    );
    expect(openStreams(userIds.olga)).toBe(1);
    w.stop();
    await eventually(
      async () => (await nodeDetail(a.address)).openLogStreams === before,
      2_000,
      "stream closed",
    );
    await eventually(async () => openStreams(userIds.olga) === 0, 2_000, "the limit's count to drop");
  });

  it("leaks no node stream when viewers leave while their streams are still opening", async () => {
    const a = node(1, 1);
    const id = await machineId(a.hostname);
    const before = (await nodeDetail(a.address)).openLogStreams;
    const views = Array.from({ length: 12 }, () =>
      watch(client("operator"), { machineIds: [id], source: "kubelet" }),
    );
    await Promise.all(views.map((w, i) => new Promise((r) => setTimeout(r, i * 15)).then(() => w.stop())));
    await new Promise((r) => setTimeout(r, 1_000)); // requests already on their way arrive and are refused by the abort
    await eventually(
      async () => (await nodeDetail(a.address)).openLogStreams === before,
      5_000,
      "no stream left open",
    );
    await eventually(async () => openStreams(userIds.olga) === 0, 2_000, "the limit's count to drop");
  });

  it("resumes after a dropped connection without repeating or losing lines", async () => {
    const a = node(1, 2);
    const id = await machineId(a.hostname);
    await injectFault(sim, a.address, { kind: "log-flood", log: "etcd", linesPerSecond: 200 });
    try {
      const w = watch(client("operator"), { machineIds: [id], source: "etcd" });
      const numbers = () =>
        w.lines
          .map((l) => /"n":(\d+)/.exec(l.text))
          .filter(Boolean)
          .map((m) => Number(m?.[1]));
      await eventually(async () => numbers().length > 50, 10_000, "flood lines");
      http.dropConnections();
      const dropped = numbers().length;
      await eventually(async () => numbers().length > dropped + 300, 15_000, "lines after reconnecting");
      w.stop();
      const n = numbers();
      const first = n[0] as number;
      expect(n).toEqual(n.map((_, i) => first + i)); // consecutive: nothing repeated, nothing lost
      expect(w.markers.filter((m) => m.type === "marker" && m.kind === "gap")).toEqual([]);
      expect(w.error()).toBeUndefined();
      const resumed = await database.db.auditEntry.findMany({ where: { action: "logs.follow" } });
      expect(resumed.some((e) => (e.details as { resumed?: boolean }).resumed === true)).toBe(true);
    } finally {
      await clearFaults(sim, a.address, "log-flood");
    }
  });

  it("refuses a stream over the per-user limit in words, and audits every opened stream", async () => {
    const ids = await Promise.all(sim.clusters.flatMap((c) => c.nodes.map((n) => machineId(n.hostname))));
    const first = watch(client("operator"), { machineIds: ids.slice(0, 4), source: "machined" });
    const more = [1, 2].map(() => watch(client("operator"), { machineIds: ids, source: "machined" }));
    await eventually(async () => openStreams(userIds.olga) === 16, 5_000, "sixteen streams");
    expect(more.map((w) => w.error())).toEqual([undefined, undefined]);
    const second = watch(client("operator"), { machineIds: ids.slice(0, 5), source: "machined" });
    await eventually(async () => second.error(), 5_000, "the limit error");
    expect(second.error()).toMatch(
      /^Limit reached: you have 16 live log streams open and this view needs 5 more/,
    );
    for (const w of more) w.stop();
    expect(second.error()).toContain("MINOS_LOG_STREAMS_PER_USER");
    first.stop();
    second.stop();
    const entries = await database.db.auditEntry.findMany({
      where: { action: "logs.follow", actor: { startsWith: "olga" } },
    });
    const denied = entries.filter((e) => e.result === "denied");
    expect(denied.length).toBeGreaterThanOrEqual(1);
    const opened = entries.find(
      (e) => e.result === "ok" && (e.details as { machines: unknown[] }).machines.length === 4,
    );
    expect(opened?.details).toMatchObject({ source: "machined", follow: true });
    const machines = (opened?.details as { machines?: { hostname: string }[] } | undefined)?.machines;
    expect(machines?.[0]?.hostname).toBe(sim.clusters[0]?.nodes[0]?.hostname);
    await eventually(async () => openStreams(userIds.olga) === 0, 2_000, "streams released");
  });

  it("refuses a viewer (machines.stream needs operator or admin) and machines out of scope", async () => {
    const id = await machineId(node(0, 0).hostname);
    const w = watch(client("viewer"), { machineIds: [id], source: "machined" });
    await eventually(async () => w.error(), 5_000, "the denial");
    expect(w.error()).toMatch(/operator or admin/);
    const out = watch(client("limited"), { machineIds: [id], source: "machined" });
    await eventually(async () => out.error(), 5_000, "not found");
    expect(out.error()).toBe("No such machine, or it is outside your scope.");
  });

  it("says when a source is not on the node, and keeps retrying an unreachable or rebooting node", async () => {
    const a = node(1, 0);
    const b = node(1, 1);
    const [idA, idB] = await Promise.all([machineId(a.hostname), machineId(b.hostname)]);
    const w = watch(client("operator"), { machineIds: [idA], source: "no-such-service" });
    await eventually(async () => w.status(idA) === "failed", 10_000, "failed");
    expect(w.merged.states.get(idA)?.message).toBe(
      '"no-such-service" is not a log source on this machine; pick one the machine has.',
    );
    await injectFault(sim, b.address, { kind: "unreachable" });
    const r = watch(client("operator"), { machineIds: [idB], source: "kubelet" });
    try {
      await eventually(async () => r.status(idB) === "retrying", 10_000, "retrying");
      expect(r.merged.states.get(idB)?.message).toMatch(
        /^the node (is unreachable|closed the stream): retrying in \d+ s$/,
      );
    } finally {
      await clearFaults(sim, b.address, "unreachable");
    }
    await eventually(async () => r.status(idB) === "streaming", 15_000, "streaming again");
    // the collector saw the machine go into a reboot: the words say so
    await database.db.machine.update({ where: { id: idB }, data: { stage: "rebooting" } });
    await injectFault(sim, b.address, { kind: "unreachable" });
    try {
      await eventually(async () => r.status(idB) === "retrying", 10_000, "retrying");
      expect(r.merged.states.get(idB)?.message).toMatch(/^the node is rebooting: retrying in \d+ s$/);
    } finally {
      await clearFaults(sim, b.address, "unreachable");
      await database.db.machine.update({ where: { id: idB }, data: { stage: "running" } });
    }
    await eventually(async () => r.status(idB) === "streaming", 15_000, "streaming after the reboot");
    r.stop();
    w.stop();
  });

  it("passes hostile lines as plain text: markup, broken ANSI, invalid UTF-8, a 1 MB line", async () => {
    const a = node(0, 0);
    const id = await machineId(a.hostname);
    const script = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
    const ansi = "\x1b[31mred \x1b[1;3 broken \x1b]8;;javascript:alert(1)\x07link\x1b[";
    const huge = `${"A".repeat(1024 * 1024)}TAIL`;
    await writeLines(a.address, "udevd", { lines: [script, ansi, huge] });
    await writeLines(a.address, "udevd", {
      base64: [Buffer.from([0x66, 0xff, 0xfe, 0x6f, 0xc3]).toString("base64")],
    });
    const w = watch(client("operator"), { machineIds: [id], source: "udevd", tailLines: 4, follow: false });
    await eventually(async () => w.status(id) === "ended", 15_000, "the log to end");
    const got = texts(w);
    expect(got[0]).toBe(script);
    expect(got[1]).toBe(ansi);
    expect(got[2]?.startsWith("A".repeat(MAX_LINE_CHARS))).toBe(true);
    expect(got[2]).not.toContain("TAIL");
    expect(got[2]).toMatch(
      / … \[Minos cut this line: it is 1,048,580 bytes, the first 65,536 characters are shown\]$/,
    );
    expect(got[3]).toBe("f\uFFFD\uFFFDo\uFFFD");
  });
});
