// One received Talos event as the row the collector stores: kind, time, a cleaned payload and its
// sentence. Node text is capped and made storable (Postgres refuses NUL and lone surrogates).
import type { TalosEvent } from "../../talos";
import { describeEvent, type StoredPayload } from "./describe";
import { xidTimeMs } from "./xid";

export interface EventRow {
  machineId: string;
  clusterId: string;
  eventId: string;
  actorId: string;
  at: Date;
  receivedAt: Date;
  kind: StoredPayload["type"];
  payload: StoredPayload;
  message: string;
}

/** Longest string kept from a node (an error message, a reason); longer ones end with "…". */
export const MAX_TEXT = 4_096;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** NUL or any surrogate: only text with one of these needs the replacements (a quick test for the rest). */
const SUSPECT = /[\0\uD800-\uDFFF]/;

export function cleanText(s: string): string {
  const t = s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
  if (!SUSPECT.test(t)) return t;
  return t.replaceAll("\0", "\uFFFD").replace(LONE_SURROGATE, "\uFFFD");
}

/** A copy with every string made storable and arrays capped at 256 items (loops: this runs per event). */
function clean<T>(v: T): T {
  if (typeof v === "string") return cleanText(v) as T;
  if (typeof v !== "object" || v === null || v instanceof Date) return v;
  if (Array.isArray(v)) {
    const n = Math.min(v.length, 256);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = clean(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = clean(x);
  return out as T;
}

/** Before Talos existed, or ahead of its arrival by more than clocks drift: the node's clock is wrong. */
const EARLIEST = Date.UTC(2019, 0, 1);
const AHEAD_MS = 10 * 60_000;
const plausible = (ms: number, receivedAt: Date) => ms >= EARLIEST && ms <= receivedAt.getTime() + AHEAD_MS;

export function eventRow(
  target: { machineId: string; clusterId: string },
  event: TalosEvent,
  receivedAt: Date,
  extra: Pick<StoredPayload, "durationMs" | "durationExact"> = {},
): EventRow | undefined {
  if (event.payload.type === "hello") return undefined;
  const fromNode = xidTimeMs(event.id);
  const at = fromNode !== undefined && plausible(fromNode, receivedAt) ? fromNode : undefined;
  const payload = clean({
    ...event.payload,
    ...extra,
    ...(fromNode !== undefined && at === undefined ? { nodeTime: new Date(fromNode).toISOString() } : {}),
  } as StoredPayload);
  return {
    machineId: target.machineId,
    clusterId: target.clusterId,
    eventId: cleanText(event.id).slice(0, 64),
    actorId: cleanText(event.actorId).slice(0, 128),
    at: at === undefined ? receivedAt : new Date(at),
    receivedAt,
    kind: payload.type,
    payload,
    message: describeEvent(payload),
  };
}
