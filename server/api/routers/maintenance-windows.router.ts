// Maintenance windows (rollouts.maintenanceWindows.*): everyone reading the fleet sees those touching
// their sites with when each opens next; operators and admins add, change and remove them within
// their scope (audited).
import { z } from "zod";
import {
  addMaintenanceWindow,
  listMaintenanceWindows,
  removeMaintenanceWindow,
  updateMaintenanceWindow,
} from "../../features/rollouts/edit-maintenance-windows";
import { maintenanceWindowInputSchema } from "../../model/maintenance-window";
import { scopesFor } from "../../model/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

const id = z.uuid("must be a maintenance window id");

export const maintenanceWindowsRouter = router({
  list: authorized("fleet.read").query(({ ctx }) =>
    listMaintenanceWindows({
      db: ctx.db,
      readScopes: scopesFor(ctx.principal, "fleet.read"),
      editScopes: scopesFor(ctx.principal, "rollouts.run"),
    }),
  ),

  add: authorized("rollouts.run")
    .input(maintenanceWindowInputSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.details = { ...input };
      const w = await addMaintenanceWindow({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        input,
        by: ctx.principal.username,
      });
      ctx.audit.target = `maintenance-window:${w.id}`;
      return w;
    }),

  update: authorized("rollouts.run")
    .input(z.object({ id, window: maintenanceWindowInputSchema }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `maintenance-window:${input.id}`;
      ctx.audit.details = { ...input.window };
      const { before } = await updateMaintenanceWindow({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        id: input.id,
        input: input.window,
        by: ctx.principal.username,
      });
      ctx.audit.details = { ...input.window, before: windowText(before) };
      return { id: input.id };
    }),

  remove: authorized("rollouts.run")
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `maintenance-window:${input.id}`;
      const { before } = await removeMaintenanceWindow({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        id: input.id,
      });
      ctx.audit.details = { removed: windowText(before) };
      return { id: input.id };
    }),
});

/** "eu/dk/* sat,sun 22:00 +240 min Europe/Copenhagen", for the audit trail. */
function windowText(w: {
  site: string;
  days: string[];
  start: string;
  durationMinutes: number;
  timeZone: string;
}) {
  return `${w.site} ${w.days.join(",")} ${w.start} +${w.durationMinutes} min ${w.timeZone}`;
}
