// Fleet-wide read views, limited to the caller's scope, and the live ticks that tell open pages to
// refetch them.
import { scopesFor } from "../auth/principal";
import { databaseUrlOf } from "../db/client";
import { AppError } from "../errors";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";
import { fleetChanges } from "./fleet-changes";
import { followFleetChanges } from "./follow-fleet-changes";
import { getFleetOverview } from "./get-fleet-overview";
import { getFleetSummary } from "./get-fleet-summary";
import { getHealthHistory, healthHistorySchema } from "./get-health-history";

export const fleetRouter = router({
  summary: authorized("fleet.read").query(({ ctx }) =>
    getFleetSummary({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read") }),
  ),
  overview: authorized("fleet.read").query(({ ctx }) =>
    getFleetOverview({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read") }),
  ),
  history: authorized("fleet.read")
    .input(healthHistorySchema)
    .query(({ ctx, input }) =>
      getHealthHistory({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read"), range: input.range }),
    ),

  /**
   * A tick (the tables that changed, no rows) when the fleet changed, at most one a second; open pages
   * refetch what they show. Not audited: it carries nothing but "look again".
   */
  changes: authorized("fleet.read").subscription(async function* ({ ctx, signal }) {
    const url = databaseUrlOf(ctx.db) ?? process.env.DATABASE_URL;
    if (!url) {
      throw new AppError("INTERNAL", {
        message: "fleet changes: the database URL of the context's client is unknown",
        userMessage: "Live updates are not available; pages refresh every 15 to 30 seconds instead.",
      });
    }
    yield* followFleetChanges({ changes: fleetChanges(url), signal: signal ?? new AbortController().signal });
  }),
});
