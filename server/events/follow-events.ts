// Live events of one machine or one cluster: polls the database by id cursor (so events stored by any
// Minos instance on the same database arrive), yielding each new event once, in the order stored.
// Ids of one cluster are committed in order: only the instance holding its lease writes them, one
// flush at a time.
import { z } from "zod";
import { clusterScopeWhere, machineScopeWhere } from "../auth/scope-filter";
import { sleep } from "../collector/pacing";
import type { PrismaClient } from "../db/client";
import { AppError } from "../errors";
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

/** Throws not found unless the machine or cluster exists within the viewer's scope. */
export async function assertVisible(
  db: PrismaClient,
  scopes: string[],
  input: FollowEventsInput,
): Promise<void> {
  if (input.machineId) {
    const m = await db.machine.findFirst({
      where: { AND: [machineScopeWhere(scopes), { id: input.machineId }] },
      select: { id: true },
    });
    if (!m) throw new AppError("NOT_FOUND", { userMessage: "No such machine, or it is outside your scope." });
    return;
  }
  const c = await db.cluster.findFirst({
    where: {
      name: input.cluster,
      OR: [clusterScopeWhere(scopes), { machines: { some: machineScopeWhere(scopes) } }],
    },
    select: { id: true },
  });
  if (!c) throw new AppError("NOT_FOUND", { userMessage: "No such cluster, or it is outside your scope." });
}

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
  await assertVisible(db, scopes, input);
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
