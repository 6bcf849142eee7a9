// Streams a log as Talos does: raw byte chunks of at most 1024 bytes that ignore line boundaries, with tail and follow.

import { status } from "@grpc/grpc-js";
import type { LogLine } from "../log-sources";
import type { SimNode } from "../node";
import { hasLog, lastPeriodicIndex, logLines, periodicLine, periodicTime } from "../node-logs";
import { statusError } from "./status";

export const CHUNK_SIZE = 1024;
const FLUSH_MS = 25;

export function chunks(data: Buffer, size = CHUNK_SIZE): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

const NEWLINE = Buffer.from("\n");

/** The lines as Talos stores them: text as UTF-8, injected raw lines as their bytes, each ending in a newline. */
function bytesOf(lines: readonly LogLine[]): Buffer {
  if (!lines.some((l) => l.raw)) return Buffer.from(lines.map((l) => `${l.text}\n`).join(""), "utf8");
  return Buffer.concat(lines.flatMap((l) => [l.raw ?? Buffer.from(l.text, "utf8"), NEWLINE]));
}

export async function streamLog(
  node: SimNode,
  req: { id: string; follow: boolean; tailLines: number },
  send: (bytes: Buffer) => void,
  signal: AbortSignal,
): Promise<void> {
  if (!hasLog(node, req.id)) throw statusError(status.UNKNOWN, `log "${req.id}" was not registered`);
  const now = Date.now();
  const lines = req.tailLines < 0 ? logLines(node, req.id, now) : logLines(node, req.id, now, req.tailLines);
  for (const c of chunks(bytesOf(lines))) send(c);
  if (!req.follow) return;

  // Text lines gather in a string; a raw (non-UTF-8) line closes it into a Buffer part.
  let pending = "";
  let parts: Buffer[] = [];
  const unsubscribe = node.subscribeLog(req.id, (line) => {
    if (line.raw) {
      if (pending) parts.push(Buffer.from(pending, "utf8"));
      pending = "";
      parts.push(line.raw, NEWLINE);
    } else pending += `${line.text}\n`;
  });
  let k = lastPeriodicIndex(node, req.id, now) + 1;
  let timer: NodeJS.Timeout | undefined;
  const schedulePeriodic = () => {
    const due = periodicTime(node, req.id, k);
    timer = setTimeout(
      () => {
        const line = periodicLine(node, req.id, k);
        if (line.text) pending += `${line.text}\n`;
        k++;
        schedulePeriodic();
      },
      Math.max(0, due - Date.now()),
    );
  };
  schedulePeriodic();
  const flusher = setInterval(() => {
    if (!pending && parts.length === 0) return;
    if (pending) parts.push(Buffer.from(pending, "utf8"));
    const data = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    pending = "";
    parts = [];
    for (const c of chunks(data)) send(c);
  }, FLUSH_MS);
  try {
    await waitAbort(signal);
  } finally {
    unsubscribe();
    clearTimeout(timer);
    clearInterval(flusher);
  }
}

/**
 * Resolves when `signal` aborts. The listener is registered once per wait and removed by the abort itself
 * (`once`); a handler waits on its own call's signal once, so listeners never pile up on a signal.
 */
export function waitAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
