// Streams a log as Talos does: raw byte chunks of at most 1024 bytes that ignore line boundaries, with tail and follow.

import { status } from "@grpc/grpc-js";
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

export async function streamLog(
  node: SimNode,
  req: { id: string; follow: boolean; tailLines: number },
  send: (bytes: Buffer) => void,
  signal: AbortSignal,
): Promise<void> {
  if (!hasLog(node, req.id)) throw statusError(status.UNKNOWN, `log "${req.id}" was not registered`);
  const now = Date.now();
  const lines = req.tailLines < 0 ? logLines(node, req.id, now) : logLines(node, req.id, now, req.tailLines);
  const initial = Buffer.from(lines.map((l) => `${l.text}\n`).join(""), "utf8");
  for (const c of chunks(initial)) send(c);
  if (!req.follow) return;

  let pending = "";
  const unsubscribe = node.subscribeLog(req.id, (line) => {
    pending += `${line.text}\n`;
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
    if (!pending) return;
    const data = Buffer.from(pending, "utf8");
    pending = "";
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
