// Fleet-wide read views, limited to the caller's scope.
import { scopesFor } from "../auth/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";
import { getFleetSummary } from "./get-fleet-summary";

export const fleetRouter = router({
  summary: authorized("fleet.read").query(({ ctx }) =>
    getFleetSummary({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read") }),
  ),
});
