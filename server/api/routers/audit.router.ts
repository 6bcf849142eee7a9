// The audit trail, for administrators.
import { z } from "zod";
import { listAudit } from "../../access/audit/list-audit";
import { verifyAuditChain } from "../../access/audit/verify-audit-chain";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

export const auditFilterSchema = z.object({
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  target: z.string().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  before: z
    .string()
    .regex(/^\d+$/, "must be an entry id")
    .transform((v) => BigInt(v))
    .optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

export const auditRouter = router({
  list: authorized("audit.read")
    .input(auditFilterSchema.extend({ cursor: auditFilterSchema.shape.before }))
    .query(({ ctx, input }) => listAudit(ctx.db, { ...input, before: input.cursor ?? input.before })),

  verify: authorized("audit.read").query(async ({ ctx }) => {
    const v = await verifyAuditChain(ctx.db);
    return v.ok ? { ...v, headId: v.headId.toString() } : { ...v, brokenAt: v.brokenAt.toString() };
  }),
});
