// Fleet-wide read views, limited to the caller's scope.
import { scopesFor } from "../auth/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";
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
});
