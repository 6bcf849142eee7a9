// Clusters: the list, one cluster, and edits of its labels and site.
import { z } from "zod";
import { scopesFor } from "../auth/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";
import { editClusterPlacement } from "./edit-placement";
import { getCluster } from "./get-cluster";
import { listClusters, listClustersSchema } from "./list-clusters";
import { labelsSchema, siteSchema } from "./placement";

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
});
