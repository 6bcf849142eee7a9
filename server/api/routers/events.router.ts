// Machine events: the fleet-wide search and the live follow of one machine or cluster (fleet.read,
// always within the viewer's scope).
import { tracked } from "@trpc/server";
import { recordAudit } from "../../access/audit/record-audit";
import { assertVisible } from "../../features/events/assert-visible";
import { followEvents, followEventsSchema } from "../../features/events/follow-events";
import { listEvents, listEventsSchema } from "../../features/events/list-events";
import { actorOf, scopesFor } from "../../model/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

export const eventsRouter = router({
  list: authorized("fleet.read")
    .input(listEventsSchema)
    .query(({ ctx, input }) =>
      listEvents({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read"), input }),
    ),

  /** New events as they are stored; resumes after `lastEventId` when the client reconnects. */
  follow: authorized("fleet.read")
    .input(followEventsSchema)
    .subscription(async function* ({ ctx, input, signal }) {
      const scopes = scopesFor(ctx.principal, "fleet.read");
      // Like every live stream, an opened timeline is audited (once in scope; a resume is marked).
      await assertVisible({ db: ctx.db, scopes, ...input });
      await recordAudit(ctx.db, {
        actor: actorOf(ctx.principal),
        action: "events.follow",
        target: input.machineId ? `machine:${input.machineId}` : `cluster:${input.cluster}`,
        address: ctx.clientAddress,
        result: "ok",
        details: {
          ...(input.kinds ? { kinds: input.kinds } : {}),
          ...(input.actorId ? { actorId: input.actorId } : {}),
          ...(input.lastEventId ? { resumed: true } : {}),
        },
      });
      for await (const e of followEvents({ db: ctx.db, scopes, input, ...(signal ? { signal } : {}) })) {
        yield tracked(e.id, e);
      }
    }),
});
