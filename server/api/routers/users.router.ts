// User administration: administrators only.
import { z } from "zod";
import { createUser } from "../../features/users/create-user";
import { deleteUser } from "../../features/users/delete-user";
import { listUsers } from "../../features/users/list-users";
import { setPassword } from "../../features/users/set-password";
import { setUserDisabled } from "../../features/users/set-user-disabled";
import { setUserGrants } from "../../features/users/set-user-grants";
import { grantSchema, passwordSchema, usernameSchema } from "../../features/users/user-schemas";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

export const usersRouter = router({
  list: authorized("admin.manage").query(({ ctx }) => listUsers(ctx.db)),

  create: authorized("admin.manage")
    .input(
      z.object({
        username: usernameSchema,
        displayName: z.string().trim().max(100).default(""),
        password: passwordSchema,
        grants: z.array(grantSchema).min(1, "must hold at least one role").max(20),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `user:${input.username}`;
      ctx.audit.details = { grants: input.grants };
      return createUser(ctx.db, input);
    }),

  setGrants: authorized("admin.manage")
    .input(z.object({ username: usernameSchema, grants: z.array(grantSchema).max(20) }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `user:${input.username}`;
      ctx.audit.details = { grants: input.grants };
      await setUserGrants(ctx.db, input.username, input.grants);
      return { ok: true as const };
    }),

  resetPassword: authorized("admin.manage")
    .input(z.object({ username: usernameSchema, newPassword: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `user:${input.username}`;
      const { revokedTokens } = await setPassword(ctx.db, {
        username: input.username,
        newPassword: input.newPassword,
      });
      ctx.audit.details = { revokedTokens };
      return { ok: true as const, revokedTokens };
    }),

  setDisabled: authorized("admin.manage")
    .input(z.object({ username: usernameSchema, disabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `user:${input.username}`;
      await setUserDisabled({
        db: ctx.db,
        username: input.username,
        disabled: input.disabled,
        byUsername: ctx.principal?.username,
      });
      return { ok: true as const };
    }),

  /** Deletes an account made by mistake; the audit trail and rollouts keep its name. */
  delete: authorized("admin.manage")
    .input(z.object({ username: usernameSchema }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `user:${input.username}`;
      const deleted = await deleteUser({
        db: ctx.db,
        username: input.username,
        byUserId: ctx.principal?.userId ?? "",
      });
      const { username: _name, ...details } = deleted;
      ctx.audit.details = details;
      return deleted;
    }),
});
