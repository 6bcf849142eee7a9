// Machines: the filtered list, one machine, and edits of labels and site (one or many).
import { z } from "zod";
import { editMachinesPlacement } from "../../features/inventory/edit-placement";
import { getMachine } from "../../features/inventory/get-machine";
import { listMachines, listMachinesSchema, matchingMachineIds } from "../../features/inventory/list-machines";
import { machineFilterSchema } from "../../features/inventory/machine-filter";
import { labelKeySchema, labelsSchema, siteSchema } from "../../features/inventory/placement";
import { scopesFor } from "../../model/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

const MAX_BULK = 10_000;

export const machinesRouter = router({
  list: authorized("fleet.read")
    .input(listMachinesSchema)
    .query(({ ctx, input }) =>
      listMachines({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read"), input }),
    ),

  /** Every machine matching a filter ("select all that match"), at most as many as a bulk edit takes. */
  matchingIds: authorized("fleet.read")
    .input(machineFilterSchema)
    .query(async ({ ctx, input }) => ({
      ids: await matchingMachineIds({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "fleet.read"),
        filter: input,
        max: MAX_BULK,
      }),
    })),

  byId: authorized("fleet.read")
    .input(z.object({ id: z.uuid("must be a machine id") }))
    .query(({ ctx, input }) =>
      getMachine({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read"), id: input.id }),
    ),

  /** The machine's own labels (replacing them) and site (null: inherit the cluster's). */
  update: authorized("machines.operate")
    .input(
      z.object({
        id: z.uuid("must be a machine id"),
        labels: labelsSchema.optional(),
        site: siteSchema.nullable().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `machine:${input.id}`;
      ctx.audit.details = { labels: input.labels, site: input.site };
      return editMachinesPlacement({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "machines.operate"),
        ids: [input.id],
        replaceLabels: input.labels,
        site: input.site === "" ? null : input.site,
      });
    }),

  /** Labels set or removed and the site set on every selected machine; all or nothing. */
  bulkUpdate: authorized("machines.operate")
    .input(
      z
        .object({
          ids: z.array(z.uuid("must be machine ids")).min(1, "select at least one machine").max(MAX_BULK),
          setLabels: labelsSchema.default({}),
          removeLabels: z.array(labelKeySchema).max(64).default([]),
          site: siteSchema.nullable().optional(),
        })
        .refine((v) => Object.keys(v.setLabels).length + v.removeLabels.length > 0 || v.site !== undefined, {
          message: "nothing to change: set or remove a label, or set the site",
        }),
    )
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `machines:${input.ids.length}`;
      ctx.audit.details = {
        machines: input.ids.slice(0, 100),
        setLabels: input.setLabels,
        removeLabels: input.removeLabels,
        site: input.site,
      };
      return editMachinesPlacement({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "machines.operate"),
        ids: input.ids,
        setLabels: input.setLabels,
        removeLabels: input.removeLabels,
        site: input.site === "" ? null : input.site,
      });
    }),
});
