// Live logs: the simulator (its own process) floods a service log; Minos (its own process: the app's
// tRPC route on node:http) follows it over gRPC and serves server-sent events to clients in this process.
// Measures raw gRPC lines/s vs the same stream through Minos, line latency at 1,000 lines/s, and
// Minos's memory with 100 concurrent viewers (and that every node stream closes when they leave).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createApiToken } from "../../server/access/auth/api-tokens";
import { createUser } from "../../server/features/users/create-user";
import { type LogFrame, unpackFrame } from "../../server/model/log-frame";
import { createDb } from "../../server/platform/db/client";
import { applyMigrations } from "../../server/platform/db/migrate";
import { loadSecretKey } from "../../server/platform/secrets/secret-key";
import { TalosClient } from "../../server/talos";
import { parseTalosconfig } from "../../server/talos/talosconfig";
import { injectFault, type SimFleetView, seedFleet } from "../../server/testing/collector-fleet";
import { sseClient } from "../../server/testing/sse-server";
import { startTempDatabase } from "../../server/testing/temp-postgres";
import type { BenchMetric, BenchSuite } from "../suite";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WINDOW_MS = Number(process.env.BENCH_LOGS_WINDOW_MS ?? 5_000);
/** The flood for the throughput runs: more than either reader can take, so each reads at its own best. */
const FLOOD_RATE = Number(process.env.BENCH_LOGS_FLOOD ?? 120_000);
const VIEWERS = 100;
const VIEWED_MACHINES = 10;

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `node --import tsx <script> …` and waits for its `<TAG> <json|url>` line. */
async function child(args: string[], tag: string, env: Record<string, string> = {}) {
  const profile =
    process.env.BENCH_LOGS_PROFILE && args[0]?.includes("sse-main")
      ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_LOGS_PROFILE}`]
      : [];
  const proc = spawn(process.execPath, [...profile, "--import", "tsx", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`${args[0]} did not start: ${out.slice(-500)}`)),
      120_000,
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      const l = out.split("\n").find((x) => x.startsWith(`${tag} `));
      if (l) {
        clearTimeout(timer);
        resolve(l.slice(tag.length + 1));
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.on("exit", (code) => reject(new Error(`${args[0]} exited with ${code}: ${out.slice(-800)}`)));
  });
  return { proc, line };
}

async function rssMiB(proc: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${proc.pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** CPU seconds (user + system) a child process has used so far. */
async function cpuSeconds(proc: ChildProcess): Promise<number> {
  const stat = (await readFile(`/proc/${proc.pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  return (Number(stat[11]) + Number(stat[12])) / 100; // utime, stime in clock ticks (100/s)
}

async function setFlood(controlUrl: string, address: string, linesPerSecond: number | undefined) {
  if (linesPerSecond === undefined) {
    await fetch(`${controlUrl}/nodes/${address}/faults/log-flood`, { method: "DELETE" });
    return;
  }
  await injectFault({ controlUrl }, address, { kind: "log-flood", log: "kubelet", linesPerSecond });
}

type Client = ReturnType<typeof sseClient>;

/** Follows through Minos for `ms` after the first line; calls `onFrame` per frame; returns lines counted. */
async function followFor(
  client: Client,
  machineIds: string[],
  ms: number,
  onFrame: (f: LogFrame, at: number) => void = () => {},
): Promise<number> {
  let lines = 0;
  let first: number | undefined;
  let counted = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const sub = client.logs.follow.subscribe(
    { machineIds, source: "kubelet", tailLines: 0, follow: true },
    {
      onData: ({ data: packed }) => {
        const data = unpackFrame(packed);
        const now = performance.now();
        first ??= now;
        if (now - first <= ms) counted += data.text.length;
        else resolveDone();
        lines += data.text.length;
        onFrame(data, Date.now());
      },
      onError: (err) => {
        console.error("  follow failed:", err.message);
        resolveDone();
      },
    },
  );
  await Promise.race([done, sleep(ms + 30_000)]);
  sub.unsubscribe();
  return lines > 0 ? counted : 0;
}

async function rawFor(talos: TalosClient, address: string, ms: number): Promise<number> {
  const ac = new AbortController();
  let counted = 0;
  let first: number | undefined;
  for await (const _line of talos.logs({
    node: address,
    id: "kubelet",
    follow: true,
    tailLines: 0,
    signal: ac.signal,
  })) {
    const now = performance.now();
    first ??= now;
    if (now - first > ms) break;
    counted++;
  }
  ac.abort();
  return counted;
}

const suite: BenchSuite = {
  name: "logs",
  description:
    "Live logs: raw gRPC vs through Minos over SSE (lines/s), line latency at 1,000 lines/s, Minos RSS with 100 viewers",
  async run(): Promise<BenchMetric[]> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "minos-bench-logs-"));
    const pg = await startTempDatabase();
    const db = createDb(pg.url);
    let sim: ChildProcess | undefined;
    let minos: ChildProcess | undefined;
    try {
      await applyMigrations(pg.url);
      const s = await child(
        [
          "sim/main.ts",
          "--clusters",
          "1",
          "--nodes-per-cluster",
          String(VIEWED_MACHINES + 2),
          "--port",
          "0",
          "--state-dir",
          path.join(dir, "sim"),
          "--seed",
          "bench-logs",
        ],
        "SIM_READY",
      );
      sim = s.proc;
      const ready = JSON.parse(s.line) as { controlUrl: string; talosconfig: string };
      const fleet = (await (await fetch(`${ready.controlUrl}/fleet`)).json()) as SimFleetView;
      const talosconfig = await readFile(ready.talosconfig, "utf8");
      const secretKey = await loadSecretKey({ dataDir: dir });
      await seedFleet(db, { talosconfig, clusters: fleet.clusters }, secretKey);
      const { id: ownerId } = await createUser(db, {
        username: "bench",
        password: "correct horse battery staple",
        grants: [{ role: "operator", scope: "" }],
      });
      const { token } = await createApiToken(db, {
        ownerId,
        name: "bench",
        role: "operator",
        scope: "",
        expiresInDays: 1,
        creator: "cli",
      });
      const m = await child(["server/testing/sse-main.ts"], "SSE_READY", {
        DATABASE_URL: pg.url,
        MINOS_DATA_DIR: dir,
        MINOS_LOG_STREAMS_PER_USER: "1000",
        MINOS_LOG_STREAMS_PER_INSTANCE: "1000",
        LOG_LEVEL: "warn",
      });
      minos = m.proc;
      const client = sseClient(m.line, token);
      const nodes = fleet.clusters[0]?.nodes ?? [];
      const ids = new Map(
        (await db.machine.findMany({ select: { id: true, hostname: true } })).map((r) => [r.hostname, r.id]),
      );
      const idOf = (i: number) => ids.get(nodes[i]?.hostname ?? "") as string;
      const addressOf = (i: number) => nodes[i]?.address as string;
      const talos = new TalosClient(parseTalosconfig(talosconfig).contexts[0] as never);
      const rssIdle = await rssMiB(minos);

      // 1. Throughput: one node floods; read it raw, then through Minos (same node, same flood).
      const flooder = 1;
      await setFlood(ready.controlUrl, addressOf(flooder), FLOOD_RATE);
      await sleep(500);
      await rawFor(talos, addressOf(flooder), 1_000); // warm-up
      const raw = await rawFor(talos, addressOf(flooder), WINDOW_MS);
      await followFor(client, [idOf(flooder)], 1_000); // warm-up
      const cpu0 = process.cpuUsage();
      const minosCpu0 = await cpuSeconds(minos);
      const simCpu0 = await cpuSeconds(sim);
      const viaMinos = await followFor(client, [idOf(flooder)], WINDOW_MS);
      const minosCpu = (await cpuSeconds(minos)) - minosCpu0;
      const simCpu = (await cpuSeconds(sim)) - simCpu0;
      const clientCpu = process.cpuUsage(cpu0);
      const rssFlood = await rssMiB(minos);
      await setFlood(ready.controlUrl, addressOf(flooder), undefined);
      const rawRate = Math.round(raw / (WINDOW_MS / 1000));
      const minosRate = Math.round(viaMinos / (WINDOW_MS / 1000));
      const pct = (seconds: number) => `${Math.round((seconds * 100_000) / WINDOW_MS)} %`;
      console.log(
        `  raw ${rawRate} lines/s, through Minos ${minosRate} lines/s (CPU over the window: Minos ${pct(minosCpu)}, simulator ${pct(simCpu)}, client ${pct((clientCpu.user + clientCpu.system) / 1e6)})`,
      );
      const minosUsPerLine = viaMinos > 0 ? Math.round(((minosCpu * 1e6) / viaMinos) * 10) / 10 : Number.NaN;
      if (process.env.BENCH_LOGS_ONLY === "throughput") {
        return [
          { name: "logs.raw_grpc_follow_lines_per_s", value: rawRate, unit: "lines/s" },
          { name: "logs.minos_sse_lines_per_s", value: minosRate, unit: "lines/s" },
          { name: "logs.minos_cpu_us_per_line", value: minosUsPerLine, unit: "µs" },
        ];
      }

      // 2. Latency at 1,000 lines/s: the flood line's ts is when the simulator wrote it.
      await setFlood(ready.controlUrl, addressOf(flooder), 1_000);
      await sleep(300);
      const latencies: number[] = [];
      await followFor(client, [idOf(flooder)], 10_000, (f, at) => {
        for (const t of f.time) latencies.push(at - t);
      });
      await setFlood(ready.controlUrl, addressOf(flooder), undefined);
      latencies.sort((a, b) => a - b);
      const rawLatencies: number[] = [];
      await setFlood(ready.controlUrl, addressOf(flooder), 1_000);
      {
        const ac = new AbortController();
        const until = performance.now() + 5_000;
        for await (const line of talos.logs({
          node: addressOf(flooder),
          id: "kubelet",
          follow: true,
          tailLines: 0,
          signal: ac.signal,
        })) {
          const ts = /^\{"ts":(\d+)/.exec(line);
          if (ts) rawLatencies.push(Date.now() - Number(ts[1]));
          if (performance.now() > until) break;
        }
        ac.abort();
      }
      await setFlood(ready.controlUrl, addressOf(flooder), undefined);
      rawLatencies.sort((a, b) => a - b);

      // 3. 100 viewers, 10 per machine, each machine writing 100 lines/s.
      for (let i = 2; i < 2 + VIEWED_MACHINES; i++) await setFlood(ready.controlUrl, addressOf(i), 100);
      let viewerLines = 0;
      const opened = performance.now();
      const firstLine: number[] = [];
      const subs = Array.from({ length: VIEWERS }, (_, v) => {
        let first = true;
        return client.logs.follow.subscribe(
          { machineIds: [idOf(2 + (v % VIEWED_MACHINES))], source: "kubelet", tailLines: 100, follow: true },
          {
            onData: ({ data }) => {
              const n = unpackFrame(data).text.length;
              viewerLines += n;
              if (first && n > 0) {
                first = false;
                firstLine.push(performance.now() - opened);
              }
            },
          },
        );
      });
      await sleep(15_000);
      firstLine.sort((a, b) => a - b);
      const rssViewers = await rssMiB(minos);
      const viewerRate = Math.round(viewerLines / 15);
      const streamsOpen = async () => {
        let open = 0;
        for (let i = 2; i < 2 + VIEWED_MACHINES; i++) {
          const d = (await (await fetch(`${ready.controlUrl}/nodes/${addressOf(i)}`)).json()) as {
            openLogStreams: number;
          };
          open += d.openLogStreams;
        }
        return open;
      };
      const openWith = await streamsOpen();
      for (const sub of subs) sub.unsubscribe();
      await sleep(2_000);
      const openAfter = await streamsOpen();
      const rssAfter = await rssMiB(minos);
      for (let i = 2; i < 2 + VIEWED_MACHINES; i++) await setFlood(ready.controlUrl, addressOf(i), undefined);

      const p = {
        simulator: "child process",
        minos: "child process (app tRPC route on node:http)",
        client: "@trpc/client httpSubscriptionLink + eventsource",
      };
      return [
        {
          name: "logs.raw_grpc_follow_lines_per_s",
          value: rawRate,
          unit: "lines/s",
          params: { ...p, windowMs: WINDOW_MS, flood: FLOOD_RATE },
        },
        {
          name: "logs.minos_sse_lines_per_s",
          value: minosRate,
          unit: "lines/s",
          params: { ...p, windowMs: WINDOW_MS, flood: FLOOD_RATE },
        },
        {
          name: "logs.minos_cpu_us_per_line",
          value: minosUsPerLine,
          unit: "µs",
          params: { ...p, note: "Minos process CPU time over the window / lines delivered" },
        },
        {
          name: "logs.minos_to_raw_ratio",
          value: Math.round((minosRate / rawRate) * 100) / 100,
          unit: "ratio",
          params: p,
        },
        {
          name: "logs.latency_p50_ms",
          value: quantile(latencies, 0.5),
          unit: "ms",
          params: { ...p, rate: 1000, lines: latencies.length },
        },
        {
          name: "logs.latency_p99_ms",
          value: quantile(latencies, 0.99),
          unit: "ms",
          params: { ...p, rate: 1000, lines: latencies.length },
        },
        {
          name: "logs.raw_latency_p50_ms",
          value: quantile(rawLatencies, 0.5),
          unit: "ms",
          params: { rate: 1000, lines: rawLatencies.length },
        },
        {
          name: "logs.raw_latency_p99_ms",
          value: quantile(rawLatencies, 0.99),
          unit: "ms",
          params: { rate: 1000, lines: rawLatencies.length },
        },
        { name: "logs.minos_rss_idle_mib", value: rssIdle, unit: "MiB", params: p },
        {
          name: "logs.minos_rss_flood_mib",
          value: rssFlood,
          unit: "MiB",
          params: { ...p, flood: FLOOD_RATE },
        },
        {
          name: "logs.minos_rss_100_viewers_mib",
          value: rssViewers,
          unit: "MiB",
          params: { ...p, viewers: VIEWERS, machines: VIEWED_MACHINES, linesPerSecondPerMachine: 100 },
        },
        {
          name: "logs.viewers_lines_per_s",
          value: viewerRate,
          unit: "lines/s",
          params: { viewers: VIEWERS },
        },
        {
          name: "logs.viewers_first_line_p50_ms",
          value: Math.round(quantile(firstLine, 0.5)),
          unit: "ms",
          params: { viewers: VIEWERS, openedAtOnce: true, got: firstLine.length },
        },
        {
          name: "logs.viewers_first_line_max_ms",
          value: Math.round(firstLine.at(-1) ?? Number.NaN),
          unit: "ms",
          params: { viewers: VIEWERS, got: firstLine.length },
        },
        {
          name: "logs.node_streams_with_viewers",
          value: openWith,
          unit: "streams",
          params: { viewers: VIEWERS },
        },
        {
          name: "logs.node_streams_after_viewers_left",
          value: openAfter,
          unit: "streams",
          params: { afterMs: 2000 },
        },
        { name: "logs.minos_rss_after_viewers_left_mib", value: rssAfter, unit: "MiB", params: p },
      ];
    } finally {
      minos?.kill("SIGTERM");
      sim?.kill("SIGTERM");
      await db.$disconnect();
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
