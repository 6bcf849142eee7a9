// The fleet-wide event search: by machine, cluster, site, kind, actor, time and text, newest first, in
// pages (keyset on time and id), only ever within the viewer's scope.
import { z } from "zod";
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import { EVENT_KINDS } from "../../model/event-kinds";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import { likeText } from "../../platform/db/like-text";
import { assertVisible } from "./assert-visible";
import { type EventView, eventSelect, toEventView } from "./event-view";

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

/** Filters shared by the search and the live follow. */
export const eventFilterSchema = z.object({
  machineId: z.uuid("must be a machine id").optional(),
  /** Part of a hostname. */
  machine: text(253).optional(),
  /** A cluster's name, exactly. */
  cluster: text(253).optional(),
  /** A site or the start of one: "eu" matches eu/dk/aarhus-0042. */
  site: text(253).optional(),
  kinds: z.array(z.enum(EVENT_KINDS, "is not an event kind")).max(EVENT_KINDS.length).optional(),
  actorId: text(128).optional(),
  /** Words of the sentence (or the Talos event id). */
  text: text(200).optional(),
});

export const listEventsSchema = eventFilterSchema.extend({
  from: z.coerce.date("must be a date").optional(),
  to: z.coerce.date("must be a date").optional(),
  /** The `next` of the previous page. */
  cursor: z
    .string()
    .regex(/^\d+:\d+$/, "is not a page cursor from this list")
    .optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

export type EventFilter = z.infer<typeof eventFilterSchema>;
export type ListEventsInput = z.input<typeof listEventsSchema>;

/** The filter as a where clause, always inside the viewer's scope. */
export function eventWhere(scopes: string[], f: EventFilter): Prisma.MachineEventWhereInput {
  const and: Prisma.MachineEventWhereInput[] = [{ machine: machineScopeWhere(scopes) }];
  if (f.machineId) and.push({ machineId: f.machineId });
  if (f.machine) and.push({ machine: { hostname: { contains: likeText(f.machine), mode: "insensitive" } } });
  if (f.cluster) and.push({ cluster: { name: f.cluster } });
  if (f.site) and.push({ machine: { effectiveSite: { startsWith: likeText(f.site) } } });
  if (f.kinds?.length) and.push({ kind: { in: f.kinds } });
  if (f.actorId) and.push({ actorId: f.actorId });
  if (f.text) {
    and.push({
      OR: [{ message: { contains: likeText(f.text), mode: "insensitive" } }, { eventId: f.text }],
    });
  }
  return { AND: and };
}

export async function listEvents({
  db,
  scopes,
  input,
}: {
  db: PrismaClient;
  scopes: string[];
  input: ListEventsInput;
}): Promise<{ events: EventView[]; next: string | null; followFrom: string }> {
  const q = listEventsSchema.parse(input);
  if (q.from && q.to && q.from > q.to) {
    throw new AppError("BAD_REQUEST", { userMessage: "The time range ends before it starts." });
  }
  // A machine named by id must be one the viewer can see (the text filters simply match nothing).
  if (q.machineId) await assertVisible({ db, scopes, machineId: q.machineId });
  // Read before the page: a follow started from here misses nothing (it may repeat a few; ids tell).
  const newest = await db.machineEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  const and: Prisma.MachineEventWhereInput[] = [eventWhere(scopes, q)];
  if (q.from) and.push({ at: { gte: q.from } });
  if (q.to) and.push({ at: { lte: q.to } });
  if (q.cursor) {
    const [ms, id] = q.cursor.split(":") as [string, string];
    const at = new Date(Number(ms));
    and.push({ OR: [{ at: { lt: at } }, { at, id: { lt: BigInt(id) } }] });
  }
  const rows = await db.machineEvent.findMany({
    where: { AND: and },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    select: eventSelect,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    events: page.map(toEventView),
    next: rows.length > q.limit && last ? `${last.at.getTime()}:${last.id}` : null,
    followFrom: (newest?.id ?? 0n).toString(),
  };
}
