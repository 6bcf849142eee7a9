// What "Download" writes: the rows shown (after the filter), as text the way the view shows them,
// or as JSON lines with machine, time and line.

import type { LogEntry, LogMachine } from "../../../server/model/log-lines";
import { plainText } from "./ansi";

export type DownloadFormat = "text" | "jsonl";

/** Time in UTC with milliseconds, `2025-11-25 10:11:12.345`. */
export function formatStamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

function hostnames(machines: readonly LogMachine[]): Map<string, string> {
  return new Map(machines.map((m) => [m.id, m.hostname]));
}

/** One line per row: machine (when several), time (when shown), the line without escape sequences. */
export function toText(
  rows: readonly LogEntry[],
  machines: readonly LogMachine[],
  opts: { timestamps: boolean },
): string {
  const names = hostnames(machines);
  const several = machines.length > 1;
  const out: string[] = [];
  for (const e of rows) {
    const parts: string[] = [];
    if (several) parts.push(e.machineId ? (names.get(e.machineId) ?? e.machineId) : "*");
    if (opts.timestamps) parts.push(formatStamp(e.time));
    parts.push(
      e.type === "line" ? plainText(e.text) : `--- ${e.kind === "gap" ? "gap" : "status"}: ${e.text} ---`,
    );
    out.push(parts.join(" "));
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

/** One JSON object per row: lines as {machine, machineId, time, line}, markers with `marker`. */
export function toJsonLines(rows: readonly LogEntry[], machines: readonly LogMachine[]): string {
  const names = hostnames(machines);
  const out: string[] = [];
  for (const e of rows) {
    const machine = e.machineId ? { machine: names.get(e.machineId) ?? null, machineId: e.machineId } : {};
    const time = new Date(e.time).toISOString();
    out.push(
      JSON.stringify(
        e.type === "line"
          ? { ...machine, time, line: e.text }
          : { ...machine, time, marker: e.kind, text: e.text },
      ),
    );
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

/** A file name that says what is in the file: `minos-logs-kubelet-node-a-20251125T101112Z.log`. */
export function downloadName(
  source: string,
  machines: readonly LogMachine[],
  format: DownloadFormat,
  now = Date.now(),
): string {
  const who = machines.length === 1 ? (machines[0]?.hostname ?? "machine") : `${machines.length}-machines`;
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `minos-logs-${safe(source)}-${safe(who)}-${stamp}.${format === "text" ? "log" : "jsonl"}`;
}
