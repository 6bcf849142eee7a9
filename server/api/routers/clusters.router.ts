// Clusters: the list, one cluster, edits of its labels and site, and its removal (administrators).
import { z } from "zod";
import { editClusterPlacement } from "../../features/inventory/edit-placement";
import { getCluster } from "../../features/inventory/get-cluster";
import { listClusters, listClustersSchema } from "../../features/inventory/list-clusters";
import { labelsSchema, siteSchema } from "../../features/inventory/placement";
import { removeCluster } from "../../features/inventory/remove-clusters";
import { scopesFor } from "../../model/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

const name = z.string().trim().min(1, "must not be empty").max(253);

export const clustersRouter = router({
  list: authorized("fleet.read")
    .input(listClustersSchema)
    .query(({ ctx, input }) =>
      listClusters({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read"), input }),
    ),

  byName: authorized("fleet.read")
    .input(z.object({ name }))
    .query(({ ctx, input }) =>
      getCluster({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read"), name: input.name }),
    ),

  update: authorized("machines.operate")
    .input(z.object({ name, labels: labelsSchema.optional(), site: siteSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `cluster:${input.name}`;
      ctx.audit.details = { labels: input.labels, site: input.site };
      return editClusterPlacement({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "machines.operate"),
        name: input.name,
        labels: input.labels,
        site: input.site,
      });
    }),

  /** Removes the cluster and its machines from the inventory; their history stays. */
  remove: authorized("admin.manage")
    .input(z.object({ name }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `cluster:${input.name}`;
      const removed = await removeCluster({ db: ctx.db, name: input.name });
      ctx.audit.details = { machines: removed.machines };
      return removed;
    }),
});
