// API tokens: one's own (any signed-in user), or anyone's (administrators).
import { z } from "zod";
import { createApiToken, MAX_TOKEN_DAYS } from "../../access/auth/api-tokens";
import { listApiTokens, revokeApiToken, tokenOwner } from "../../access/auth/manage-api-tokens";
import { AppError } from "../../model/errors";
import { roles } from "../../model/permissions";
import { scopeSchema } from "../../model/scope";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

export const tokensRouter = router({
  list: authorized("account.self")
    .input(z.object({ everyone: z.boolean().default(false) }).default({ everyone: false }))
    .query(({ ctx, input }) =>
      listApiTokens({ db: ctx.db, principal: ctx.principal, everyone: input.everyone }),
    ),

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
      const ownerId = await tokenOwner({ db: ctx.db, principal: p, forUser: input.forUser });
      ctx.audit.target = `token:${input.name}`;
      ctx.audit.details = { role: input.role, scope: input.scope, expiresInDays: input.expiresInDays };
      const created = await createApiToken(ctx.db, { ...input, ownerId, creator: p });
      // The token itself is returned once, here, and never again.
      return { token: created.token, id: created.id, expiresAt: created.expiresAt };
    }),

  revoke: authorized("account.self")
    .input(z.object({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `token:${input.id}`;
      const name = await revokeApiToken({ db: ctx.db, principal: ctx.principal, id: input.id });
      ctx.audit.target = `token:${name}`;
      return { ok: true as const };
    }),
});
