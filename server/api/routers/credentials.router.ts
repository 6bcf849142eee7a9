// Talos credentials: administrators add, replace and remove them; only non-secret facts come back.
import { z } from "zod";
import { importCredentials } from "../../features/credentials/import-credentials";
import { listCredentials } from "../../features/credentials/list-credentials";
import { MAX_TALOSCONFIG_BYTES } from "../../features/credentials/read-talosconfig";
import { removeCredential } from "../../features/credentials/remove-credential";
import { replaceCredential } from "../../features/credentials/replace-credential";
import { removeClustersIn } from "../../features/inventory/remove-clusters";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

// A generous bound on characters; readTalosconfig checks the byte size with a clearer message.
const talosconfig = z
  .string()
  .max(4 * MAX_TALOSCONFIG_BYTES, `must be at most ${MAX_TALOSCONFIG_BYTES / 1024} KiB`);
const name = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");

/** The output schemas strip anything not listed here, whatever a service returns. */
const factsOutput = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    endpoints: z.array(z.string()),
    role: z.string(),
    certNotBefore: z.date(),
    certNotAfter: z.date(),
    daysLeft: z.number(),
    expiresSoon: z.boolean(),
    expired: z.boolean(),
    clusters: z.array(z.string()),
    soleClusters: z.array(z.string()),
    createdAt: z.date(),
    updatedAt: z.date(),
  }),
);
const importedOutput = z.object({ name: z.string(), role: z.string(), certNotAfter: z.date() });

export const credentialsRouter = router({
  list: authorized("admin.manage")
    .output(factsOutput)
    .query(({ ctx }) => listCredentials(ctx.db)),

  import: authorized("admin.manage")
    .input(z.object({ talosconfig }))
    .output(z.object({ imported: z.array(importedOutput) }))
    .mutation(async ({ ctx, input }) => {
      const imported = await importCredentials(ctx.db, { talosconfig: input.talosconfig });
      ctx.audit.target = `credentials:${imported.map((c) => c.name).join(",")}`;
      ctx.audit.details = { credentials: imported.map((c) => ({ name: c.name, role: c.role })) };
      return { imported };
    }),

  replace: authorized("admin.manage")
    .input(z.object({ name, talosconfig }))
    .output(importedOutput)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `credential:${input.name}`;
      const replaced = await replaceCredential(ctx.db, input);
      ctx.audit.details = { role: replaced.role };
      return replaced;
    }),

  /** `removeClusters`: also remove the clusters no other credential reaches (their soleClusters). */
  remove: authorized("admin.manage")
    .input(z.object({ name, removeClusters: z.boolean().default(false) }))
    .output(z.object({ unlinkedClusters: z.array(z.string()), removedClusters: z.array(z.string()) }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `credential:${input.name}`;
      ctx.audit.details = { removeClusters: input.removeClusters };
      const removed = await removeCredential(
        ctx.db,
        input.name,
        input.removeClusters ? { removeClusters: (tx, ids) => removeClustersIn(tx, ids) } : {},
      );
      ctx.audit.details = { ...removed };
      return removed;
    }),
});
