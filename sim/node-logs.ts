// A node's logs as Talos serves them: generated startup and periodic lines, runtime lines, tail and follow.
import { releaseOf } from "./catalog";
import { type LogContext, type LogLine, logSource, NON_SERVICE_LOGS } from "./log-sources";
import type { SimNode } from "./node";

/** Talos keeps a bounded buffer per log; the simulator keeps the newest lines up to this count. */
const MAX_LINES = 3000;
const FIRST_PERIODIC_MS = 15_000;
const MIN_REAL_PERIOD_MS = 100;

export function logContext(node: SimNode): LogContext {
  const rel = releaseOf(node.talosVersion);
  return {
    index: node.spec.index,
    hostname: node.hostname,
    address: node.address,
    role: node.spec.role,
    talosVersion: node.talosVersion,
    kubernetesVersion: node.kubernetesVersion,
    etcdVersion: rel.etcd,
    containerdVersion: rel.containerd,
    clusterName: node.spec.clusterName,
  };
}

/** Log ids written on this node, in registration order (LogsContainers does not sort them). */
export function logIds(node: SimNode): string[] {
  const services = node.serviceDefs().map((d) => d.id);
  const first = ["machined", "controller-runtime", "udevd", "containerd", "dns-resolve-cache"];
  return [
    ...first.filter((id) => services.includes(id) || (NON_SERVICE_LOGS as readonly string[]).includes(id)),
    ...services.filter((id) => !first.includes(id)),
  ];
}

export function hasLog(node: SimNode, id: string): boolean {
  return logIds(node).includes(id);
}

function periodOf(node: SimNode, id: string): number {
  const src = logSource(id);
  return Math.max(MIN_REAL_PERIOD_MS, (src?.periodMs ?? 60_000) / node.env.clock.timeScale);
}

function periodicStart(node: SimNode): number {
  return node.bootTimeMs + FIRST_PERIODIC_MS / node.env.clock.timeScale;
}

/** Index of the last periodic line written by `nowMs` (-1 if none yet). */
export function lastPeriodicIndex(node: SimNode, id: string, nowMs: number): number {
  const start = periodicStart(node);
  if (nowMs < start) return -1;
  return Math.floor((nowMs - start) / periodOf(node, id));
}

export function periodicLine(node: SimNode, id: string, k: number): LogLine {
  const t = periodicStart(node) + k * periodOf(node, id);
  const src = logSource(id);
  return { t, text: src ? src.periodic(logContext(node), k, t) : "" };
}

export function periodicTime(node: SimNode, id: string, k: number): number {
  return periodicStart(node) + k * periodOf(node, id);
}

/** The lines currently in the log, oldest first: all of them (bounded) or only the last `limit`. */
export function logLines(
  node: SimNode,
  id: string,
  nowMs: number = Date.now(),
  limit = MAX_LINES,
): LogLine[] {
  const keep = Math.min(Math.max(0, limit), MAX_LINES);
  const src = logSource(id);
  const ctx = logContext(node);
  const scale = node.env.clock.timeScale;
  const lines: LogLine[] = [];
  if (src) {
    for (const l of src.startup(ctx, node.bootTimeMs)) {
      const t = node.bootTimeMs + (l.t - node.bootTimeMs) / scale;
      if (t <= nowMs) lines.push({ t, text: l.text });
    }
    const last = lastPeriodicIndex(node, id, nowMs);
    for (let k = Math.max(0, last - keep + 1); k <= last; k++) {
      const line = periodicLine(node, id, k);
      if (line.text) lines.push(line);
    }
  }
  const extra = node.extraLogLines(id);
  const merged = extra.length === 0 ? lines : mergeByTime(lines, extra);
  return merged.length > keep ? merged.slice(merged.length - keep) : merged;
}

function mergeByTime(a: LogLine[], b: readonly LogLine[]): LogLine[] {
  const out: LogLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.t <= y.t)) {
      if (x) out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}
