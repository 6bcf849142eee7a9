// Read-only kubeconfigs per cluster: administrators import and remove them; only non-secret facts come back.
import { z } from "zod";
import { importKubeReader, listKubeReaders, removeKubeReader } from "../../features/kubernetes/kube-readers";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

const cluster = z.string().trim().min(1, "must not be empty").max(253);
/** A kubeconfig with embedded certificates is a few KiB; 256 KiB leaves room for many contexts. */
const MAX_KUBECONFIG_CHARS = 256 * 1024;
const kubeconfig = z
  .string()
  .min(1, "paste the kubeconfig")
  .max(MAX_KUBECONFIG_CHARS, `must be at most ${MAX_KUBECONFIG_CHARS / 1024} KiB`);

const summary = z.object({
  cluster: z.string(),
  server: z.string(),
  identity: z.string(),
  certNotAfter: z.date().nullable(),
  importedBy: z.string(),
  importedAt: z.date(),
});

export const kubeReadersRouter = router({
  list: authorized("admin.manage")
    .output(z.array(summary))
    .query(({ ctx }) => listKubeReaders(ctx.db)),

  import: authorized("admin.manage")
    .input(z.object({ cluster, kubeconfig }))
    .output(summary)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `cluster:${input.cluster}`;
      const imported = await importKubeReader({
        db: ctx.db,
        cluster: input.cluster,
        kubeconfig: input.kubeconfig,
        by: ctx.principal.username,
      });
      ctx.audit.details = { identity: imported.identity, server: imported.server };
      return imported;
    }),

  remove: authorized("admin.manage")
    .input(z.object({ cluster }))
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `cluster:${input.cluster}`;
      return removeKubeReader({ db: ctx.db, cluster: input.cluster });
    }),
});
