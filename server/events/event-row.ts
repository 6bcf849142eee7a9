// One received Talos event as the row the collector stores: kind, time, a cleaned payload and its
// sentence. Node text is capped and made storable (Postgres refuses NUL and lone surrogates).
import type { TalosEvent } from "../talos";
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

export function cleanText(s: string): string {
  const t = s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
  return t.replaceAll("\0", "\uFFFD").replace(LONE_SURROGATE, "\uFFFD");
}

function clean<T>(v: T): T {
  if (typeof v === "string") return cleanText(v) as T;
  if (Array.isArray(v)) return v.slice(0, 256).map(clean) as T;
  if (v instanceof Date) return v;
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x)])) as T;
  }
  return v;
}

export function eventRow(
  target: { machineId: string; clusterId: string },
  event: TalosEvent,
  receivedAt: Date,
  extra: Pick<StoredPayload, "durationMs" | "durationExact"> = {},
): EventRow | undefined {
  if (event.payload.type === "hello") return undefined;
  const payload = clean({ ...event.payload, ...extra } as StoredPayload);
  const at = xidTimeMs(event.id);
  return {
    ...target,
    eventId: cleanText(event.id).slice(0, 64),
    actorId: cleanText(event.actorId).slice(0, 128),
    at: at === undefined ? receivedAt : new Date(at),
    receivedAt,
    kind: payload.type,
    payload,
    message: describeEvent(payload),
  };
}
