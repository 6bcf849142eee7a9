// Benchmark parts that run as their own processes (the simulator, a collector): started with tsx, ready once
// they print a line starting with a given word followed by JSON, and their CPU time read from /proc so a
// figure can say whose cores it measured.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

export interface ReadyChild<T> {
  child: ChildProcess;
  /** The JSON the child printed after its ready word. */
  ready: T;
  /** SIGTERM, then waits for it to exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** Runs `node --import tsx <script> …args` from the project root; resolves when it prints `<word> {json}`. */
export async function startReadyChild<T>(
  script: string,
  args: string[],
  opts: { word: string; env?: Record<string, string>; timeoutMs?: number; name?: string },
): Promise<ReadyChild<T>> {
  const name = opts.name ?? path.basename(script);
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<T>((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 240_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} was not ready within ${timeoutMs / 1000} s: ${out.slice(-800)}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
      const line = out.split("\n").find((l) => l.startsWith(`${opts.word} `));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(opts.word.length + 1)) as T);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready: ${out.slice(-800)}`));
    });
  });
  // Keep draining its output so a chatty child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    child,
    ready,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

const cleanups = new Set<() => Promise<unknown>>();

/**
 * Runs `cleanup` if the benchmark is interrupted (SIGINT, SIGTERM) before it is removed again: a benchmark
 * stopped half-way leaves no simulator, collector or Postgres behind. Returns the remover.
 */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  if (cleanups.size === 0 && process.listenerCount("SIGTERM") === 0) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        const all = [...cleanups].map((c) => c().catch(() => {}));
        const limit = new Promise((r) => setTimeout(r, 20_000));
        void Promise.race([Promise.all(all), limit]).then(() => process.exit(130));
      });
    }
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

let ticksPerSecond: number | undefined;

/** utime, stime, cutime, cstime and ppid of a process from /proc/<pid>/stat, in seconds; undefined when gone. */
function procStat(pid: number): { own: number; waitedChildren: number; ppid: number } | undefined {
  try {
    ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after its closing parenthesis.
    const f = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    const t = (i: number) => (f[i] ?? Number.NaN) / (ticksPerSecond as number);
    return { ppid: f[1] ?? 0, own: t(11) + t(12), waitedChildren: t(13) + t(14) };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far; NaN where /proc is not readable. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  return procStat(pid)?.own ?? Number.NaN;
}

/**
 * CPU seconds of a process and its children (live ones, and those that ended and were waited for), such as a
 * Postgres server and its backends.
 */
export function processTreeCpuSeconds(pid: number): number {
  const root = procStat(pid);
  if (!root) return Number.NaN;
  let total = root.own + root.waitedChildren;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const child = procStat(Number(entry));
    if (child?.ppid === pid) total += child.own + child.waitedChildren;
  }
  return total;
}
