// Profiles of the benchmark process through node:inspector. Heap: V8's sampling heap profiler records
// allocations with their stacks and reports those still alive; this sums them by allocating function and by
// the innermost frame in Minos's own code. CPU: a profile of a window, summed by package and by function.
// The raw profiles open in Chrome DevTools (Memory and Performance tabs).
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples: number[];
  timeDeltas: number[];
}

/** A place in the code and what it accounts for (MiB of live heap, or ms of CPU). */
export interface Site {
  site: string;
  value: number;
}

export interface HeapBreakdown {
  totalMiB: number;
  /** By the function that allocated. */
  byFunction: Site[];
  /** By the innermost frame in Minos's own code (server/, bench/) above the allocation. */
  byOwnCode: Site[];
}

export interface CpuBreakdown {
  totalMs: number;
  /** By package (or Minos folder), idle and garbage collection apart. */
  byArea: Site[];
  /** By function (self time). */
  byFunction: Site[];
}

const shortUrl = (url: string) => url.replace(/^.*\/(node_modules\/|server\/|bench\/)/, "$1");
const siteOf = (f: CallFrame) =>
  `${f.functionName || "(anonymous)"} ${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : "(native)"}`;
const ownCode = (url: string) => /\/(server|bench)\//.test(url) && !url.includes("node_modules");

function areaOf(f: CallFrame): string {
  if (f.functionName === "(garbage collector)") return "(garbage collection)";
  if (f.functionName === "(idle)") return "(idle)";
  if (!f.url) return "(native)";
  const pkg = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(f.url);
  if (pkg?.[1]) return pkg[1];
  if (f.url.startsWith("node:")) return f.url.split("/").slice(0, 2).join("/");
  return /\/(server\/[^/]+|bench)\//.exec(f.url)?.[1] ?? f.url;
}

function top(map: Map<string, number>, n: number, scale: (v: number) => number): Site[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([site, v]) => ({ site, value: scale(v) }));
}

const toMiB = (bytes: number) => +(bytes / 2 ** 20).toFixed(1);
const toMs = (us: number) => Math.round(us / 1000);

export class Profiler {
  private readonly session = new Session();

  /** Starts heap sampling (one sample per `intervalBytes` allocated, on average). */
  async start(intervalBytes = 128 * 1024): Promise<void> {
    this.session.connect();
    await this.session.post("HeapProfiler.startSampling", { samplingInterval: intervalBytes });
    await this.session.post("Profiler.enable");
  }

  /** The live heap by allocation site now; writes the raw profile to `file` when given. */
  async heap(file?: string, n = 12): Promise<HeapBreakdown> {
    const { profile } = (await this.session.post("HeapProfiler.getSamplingProfile")) as unknown as {
      profile: { head: HeapNode };
    };
    if (file) await writeFile(file, JSON.stringify(profile));
    const byFunction = new Map<string, number>();
    const byOwn = new Map<string, number>();
    let total = 0;
    const walk = (node: HeapNode, own: string) => {
      const here = ownCode(node.callFrame.url) ? siteOf(node.callFrame) : own;
      if (node.selfSize) {
        total += node.selfSize;
        const s = siteOf(node.callFrame);
        byFunction.set(s, (byFunction.get(s) ?? 0) + node.selfSize);
        byOwn.set(here, (byOwn.get(here) ?? 0) + node.selfSize);
      }
      for (const c of node.children) walk(c, here);
    };
    walk(profile.head, "(outside Minos code)");
    return { totalMiB: toMiB(total), byFunction: top(byFunction, n, toMiB), byOwnCode: top(byOwn, n, toMiB) };
  }

  async startCpu(): Promise<void> {
    await this.session.post("Profiler.start");
  }

  /** CPU time since startCpu; writes the raw profile to `file` when given. */
  async stopCpu(file?: string, n = 12): Promise<CpuBreakdown> {
    const { profile } = (await this.session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
    if (file) await writeFile(file, JSON.stringify(profile));
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const byArea = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const f = frames.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      if (!f) return;
      const area = areaOf(f);
      byArea.set(area, (byArea.get(area) ?? 0) + us);
      if (area === "(idle)") return;
      total += us;
      byFunction.set(siteOf(f), (byFunction.get(siteOf(f)) ?? 0) + us);
    });
    return { totalMs: toMs(total), byArea: top(byArea, n, toMs), byFunction: top(byFunction, n, toMs) };
  }

  async stop(): Promise<void> {
    await this.session.post("HeapProfiler.stopSampling").catch(() => {});
    await this.session.post("Profiler.disable").catch(() => {});
    this.session.disconnect();
  }
}
