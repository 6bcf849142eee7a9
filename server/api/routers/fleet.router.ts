// Fleet-wide read views, limited to the caller's scope, and the live ticks that tell open pages to
// refetch them.

import { followFleetChanges } from "../../features/fleet/follow-fleet-changes";
import { getFleetOverview } from "../../features/fleet/get-fleet-overview";
import { getFleetSummary } from "../../features/fleet/get-fleet-summary";
import { getHealthHistory, healthHistorySchema } from "../../features/fleet/get-health-history";
import { AppError } from "../../model/errors";
import { scopesFor } from "../../model/principal";
import { databaseUrlOf } from "../../platform/db/client";
import { fleetChanges } from "../../platform/fleet-changes";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

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
