// How long sequences, phases and tasks took, from their matching start and stop events on one
// machine's stream. Events received as they happened are timed to the millisecond by their arrival;
// replayed history only carries the second in the event id.
import type { TalosEvent } from "../../talos";
import type { StoredPayload } from "./describe";
import { xidTimeMs } from "./xid";

/** An event that arrived within this long of its id's second counts as received live. */
const LIVE_WITHIN_MS = 2_000;

interface Start {
  idMs: number;
  receivedMs: number;
  live: boolean;
}

function key(p: TalosEvent["payload"], actorId: string): string | undefined {
  if (p.type === "sequence" && !p.error) return `sequence:${p.sequence}:${actorId}`;
  if (p.type === "phase") return `phase:${p.phase}:${actorId}`;
  if (p.type === "task") return `task:${p.task}:${actorId}`;
  return undefined;
}

export class DurationTracker {
  private readonly starts = new Map<string, Start>();

  /** Remembers a start; returns the duration fields for a stop whose start was seen. */
  observe(event: TalosEvent, receivedMs: number): Pick<StoredPayload, "durationMs" | "durationExact"> {
    const p = event.payload;
    const k = key(p, event.actorId);
    const idMs = xidTimeMs(event.id);
    if (!k || idMs === undefined || !("action" in p)) return {};
    const live = receivedMs - idMs < LIVE_WITHIN_MS + 1_000 && receivedMs >= idMs - LIVE_WITHIN_MS;
    if (p.action === "START") {
      this.starts.set(k, { idMs, receivedMs, live });
      if (this.starts.size > 1_000) this.starts.delete(this.starts.keys().next().value as string);
      return {};
    }
    if (p.action !== "STOP") return {};
    const start = this.starts.get(k);
    this.starts.delete(k);
    if (!start) return {};
    if (start.live && live) return { durationMs: receivedMs - start.receivedMs, durationExact: true };
    return { durationMs: Math.max(0, idMs - start.idMs), durationExact: false };
  }
}
