// A stored event as the API hands it out: who, where, when, what (kind, sentence, payload).

import type { EventKind } from "../../model/event-kinds";
import type { Prisma } from "../../platform/db/generated/client";
import type { StoredPayload } from "./describe";

export const eventSelect = {
  id: true,
  eventId: true,
  actorId: true,
  at: true,
  kind: true,
  message: true,
  payload: true,
  machine: { select: { id: true, hostname: true, effectiveSite: true } },
  cluster: { select: { name: true } },
} as const satisfies Prisma.MachineEventSelect;

type Selected = Prisma.MachineEventGetPayload<{ select: typeof eventSelect }>;

export interface EventView {
  /** Minos's id (the follow cursor), as a string. */
  id: string;
  /** Talos's event id. */
  eventId: string;
  actorId: string;
  at: Date;
  kind: EventKind;
  message: string;
  payload: StoredPayload;
  machine: { id: string; hostname: string; site: string };
  cluster: string;
}

export function toEventView(r: Selected): EventView {
  return {
    id: r.id.toString(),
    eventId: r.eventId,
    actorId: r.actorId,
    at: r.at,
    kind: r.kind as EventKind,
    message: r.message,
    payload: r.payload as unknown as StoredPayload,
    machine: { id: r.machine.id, hostname: r.machine.hostname, site: r.machine.effectiveSite },
    cluster: r.cluster.name,
  };
}
