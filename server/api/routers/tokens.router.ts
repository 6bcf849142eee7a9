// API tokens: one's own (any signed-in user), or anyone's (administrators).
import { z } from "zod";
import { createApiToken, MAX_TOKEN_DAYS } from "../../access/auth/api-tokens";
import { AppError } from "../../model/errors";
import { roles } from "../../model/permissions";
import { can } from "../../model/principal";
import { scopeSchema } from "../../model/scope";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

const tokenSelect = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  scope: true,
  createdBy: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  owner: { select: { username: true } },
} as const;

export const tokensRouter = router({
  list: authorized("account.self")
    .input(z.object({ everyone: z.boolean().default(false) }).default({ everyone: false }))
    .query(({ ctx, input }) => {
      const all = input.everyone && can(ctx.principal, "admin.manage");
      return ctx.db.apiToken.findMany({
        where: all ? {} : { ownerId: ctx.principal?.userId },
        orderBy: { createdAt: "desc" },
        select: tokenSelect,
      });
    }),

  create: authorized("account.self")
    .input(
      z.object({
        name: z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters"),
        role: z.enum(roles),
        scope: scopeSchema.default(""),
        expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(30),
        /** Another user's name: administrators only. */
        forUser: z.string().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const p = ctx.principal;
      if (!p) throw new AppError("UNAUTHORIZED", { userMessage: "Sign in to continue." });
      let ownerId = p.userId;
      if (input.forUser && input.forUser !== p.username) {
        if (!can(p, "admin.manage")) {
          throw new AppError("FORBIDDEN", {
            userMessage: "Only administrators create tokens for other users.",
          });
        }
        const owner = await ctx.db.user.findUnique({ where: { username: input.forUser } });
        if (!owner)
          throw new AppError("NOT_FOUND", { userMessage: `There is no user named "${input.forUser}".` });
        ownerId = owner.id;
      }
      ctx.audit.target = `token:${input.name}`;
      ctx.audit.details = { role: input.role, scope: input.scope, expiresInDays: input.expiresInDays };
      const created = await createApiToken(ctx.db, { ...input, ownerId, creator: p });
      // The token itself is returned once, here, and never again.
      return { token: created.token, id: created.id, expiresAt: created.expiresAt };
    }),

  revoke: authorized("account.self")
    .input(z.object({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const row = await ctx.db.apiToken.findUnique({ where: { id: input.id } });
      const mine = row?.ownerId === ctx.principal?.userId;
      if (!row || (!mine && !can(ctx.principal, "admin.manage"))) {
        throw new AppError("NOT_FOUND", { userMessage: "That token does not exist." });
      }
      ctx.audit.target = `token:${row.name}`;
      await ctx.db.apiToken.update({
        where: { id: row.id },
        data: { revokedAt: row.revokedAt ?? new Date() },
      });
      return { ok: true as const };
    }),
});
