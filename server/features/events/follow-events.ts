// Live events of one machine or one cluster: polls the database by id cursor (so events stored by any
// Minos instance on the same database arrive), yielding each new event once, in the order stored.
// Ids of one cluster are committed in order: only the instance holding its lease writes them, one
// flush at a time.
import { z } from "zod";
import type { PrismaClient } from "../../platform/db/client";
import { sleep } from "../../platform/pacing";
import { assertVisible } from "./assert-visible";
import { type EventView, eventSelect, toEventView } from "./event-view";
import { eventFilterSchema, eventWhere } from "./list-events";

export const followEventsSchema = eventFilterSchema
  .pick({ machineId: true, cluster: true, kinds: true, actorId: true })
  .extend({
    /** Start after this id (the list's `followFrom`); without it, from now. */
    after: z.string().regex(/^\d+$/, "must be an event id").optional(),
    /** Set by the client when it reconnects: resume after the last event it received. */
    lastEventId: z.string().regex(/^\d+$/, "must be an event id").nullish(),
  })
  .refine((v) => Boolean(v.machineId) !== Boolean(v.cluster), {
    message: "follow one machine (machineId) or one cluster (cluster)",
  });

export type FollowEventsInput = z.infer<typeof followEventsSchema>;

/** How often the database is asked for new events. */
export const FOLLOW_POLL_MS = 1_000;
const BATCH = 500;

export async function* followEvents({
  db,
  scopes,
  input,
  signal,
  pollMs = FOLLOW_POLL_MS,
}: {
  db: PrismaClient;
  scopes: string[];
  input: FollowEventsInput;
  signal?: AbortSignal;
  pollMs?: number;
}): AsyncGenerator<EventView> {
  await assertVisible({ db, scopes, ...input });
  const where = eventWhere(scopes, input);
  let cursor: bigint;
  const from = input.lastEventId ?? input.after;
  if (from) {
    cursor = BigInt(from);
  } else {
    const newest = await db.machineEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
    cursor = newest?.id ?? 0n;
  }
  while (!signal?.aborted) {
    const rows = await db.machineEvent.findMany({
      where: { AND: [where, { id: { gt: cursor } }] },
      orderBy: { id: "asc" },
      take: BATCH,
      select: eventSelect,
    });
    for (const r of rows) {
      cursor = r.id;
      yield toEventView(r);
    }
    if (rows.length < BATCH) await sleep(pollMs, signal ?? new AbortController().signal);
  }
}
