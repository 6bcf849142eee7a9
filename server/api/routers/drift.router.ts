// Drift: overview, one machine's drift, baselines (edit with preview, import/export) and acknowledgements.
// Reading needs fleet.read (within scope). Baselines change what the whole fleet is judged against, so they
// need admin.manage (which already names baselines); acknowledging a machine's drift item is an operation on
// that machine: machines.operate, within scope.

import { z } from "zod";
import { acknowledgeDrift, removeAcknowledgement } from "../../features/drift/acknowledge-drift";
import {
  deleteBaseline,
  exportBaselinesFile,
  importBaselinesFile,
  listVisibleBaselines,
  saveBaseline,
} from "../../features/drift/edit-baselines";
import { getDriftOverview } from "../../features/drift/get-drift-overview";
import { getMachineDrift } from "../../features/drift/get-machine-drift";
import { previewBaseline } from "../../features/drift/preview-baseline";
import { actorOf, scopesFor } from "../../model/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

const baselineInput = z.object({
  id: z.uuid().optional(),
  name: z.string().max(63),
  description: z.string().max(500).optional(),
  /** Validated by the drift engine, which answers with field errors. */
  spec: z.unknown(),
});

const itemInput = z.object({
  machineId: z.uuid("must be a machine id"),
  field: z.string().min(1).max(2_000),
});

export const driftRouter = router({
  overview: authorized("fleet.read").query(({ ctx }) =>
    getDriftOverview({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read") }),
  ),

  machine: authorized("fleet.read")
    .input(z.object({ id: z.uuid("must be a machine id") }))
    .query(({ ctx, input }) =>
      getMachineDrift({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read"), id: input.id }),
    ),

  baselines: authorized("fleet.read").query(async ({ ctx }) =>
    listVisibleBaselines({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read") }),
  ),

  /** How many machines the edited baseline would mark drifted or clean; nothing saved. */
  previewBaseline: authorized("admin.manage")
    .input(baselineInput)
    .query(({ ctx, input }) => previewBaseline({ db: ctx.db, input })),

  saveBaseline: authorized("admin.manage")
    .input(baselineInput)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `baseline:${input.name}`;
      ctx.audit.details = { id: input.id, spec: input.spec };
      const r = await saveBaseline({ db: ctx.db, input });
      if (r.ok) ctx.audit.target = `baseline:${r.id}`;
      else ctx.audit.details = { ...ctx.audit.details, rejected: r.errors.length };
      return r;
    }),

  deleteBaseline: authorized("admin.manage")
    .input(z.object({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `baseline:${input.id}`;
      await deleteBaseline(ctx.db, input.id);
      return { ok: true as const };
    }),

  exportBaselines: authorized("fleet.read").query(async ({ ctx }) => ({
    yaml: await exportBaselinesFile({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read") }),
  })),

  importBaselines: authorized("admin.manage")
    .input(z.object({ yaml: z.string().max(1_000_000) }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = "baselines";
      const r = await importBaselinesFile(ctx.db, input.yaml);
      ctx.audit.details = r.ok ? { imported: r.names } : { rejected: r.errors.length };
      return r;
    }),

  acknowledge: authorized("machines.operate")
    .input(
      itemInput.extend({
        reason: z.string().trim().min(3, "say why (at least 3 characters)").max(500),
        expiresAt: z.coerce.date(),
      }),
    )
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `machine:${input.machineId}`;
      ctx.audit.details = {
        field: input.field,
        reason: input.reason,
        expiresAt: input.expiresAt.toISOString(),
      };
      return acknowledgeDrift({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "machines.operate"),
        ...input,
        by: actorOf(ctx.principal),
      });
    }),

  unacknowledge: authorized("machines.operate")
    .input(itemInput)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `machine:${input.machineId}`;
      ctx.audit.details = { field: input.field };
      await removeAcknowledgement({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "machines.operate"),
        ...input,
      });
      return { ok: true as const };
    }),
});
