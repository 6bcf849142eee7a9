// Sign-in, sign-out, the signed-in user, and changing one's own password.
import { z } from "zod";
import { recordAudit } from "../../access/audit/record-audit";
import { login } from "../../access/auth/login";
import { deleteSession, sessionCookie } from "../../access/auth/sessions";
import { getAccount } from "../../features/users/get-account";
import { setPassword } from "../../features/users/set-password";
import { passwordSchema } from "../../features/users/user-schemas";
import { AppError } from "../../model/errors";
import { router } from "../trpc/init";
import { authorized, publicProcedure } from "../trpc/procedures";

export const authRouter = router({
  login: publicProcedure
    .meta({ audit: false })
    .input(z.object({ username: z.string().max(100), password: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      const session = await login(ctx.db, {
        username: input.username,
        password: input.password,
        address: ctx.clientAddress,
        userAgent: ctx.userAgent,
      });
      const maxAge = (session.expiresAt.getTime() - Date.now()) / 1000;
      ctx.resHeaders.append(
        "set-cookie",
        sessionCookie(session.token, { secure: ctx.secure, maxAgeSeconds: maxAge }),
      );
      return { ok: true as const };
    }),

  logout: publicProcedure.meta({ audit: false }).mutation(async ({ ctx }) => {
    ctx.resHeaders.append("set-cookie", sessionCookie("", { secure: ctx.secure, maxAgeSeconds: 0 }));
    if (ctx.principal?.sessionId) {
      await deleteSession(ctx.db, ctx.principal.sessionId);
      await recordAudit(ctx.db, {
        actor: ctx.principal.username,
        action: "auth.logout",
        target: `user:${ctx.principal.username}`,
        address: ctx.clientAddress,
        result: "ok",
      });
    }
    return { ok: true as const };
  }),

  /** The signed-in user and what they may do, or null; the UI shows and hides actions from this. */
  me: publicProcedure.query(({ ctx }) => getAccount({ db: ctx.db, principal: ctx.principal })),

  changePassword: authorized("account.self")
    .input(z.object({ currentPassword: passwordSchema, newPassword: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      const p = ctx.principal;
      if (p?.kind !== "user") {
        throw new AppError("FORBIDDEN", {
          userMessage: "Passwords are changed by signing in, not with an API token.",
        });
      }
      ctx.audit.target = `user:${p.username}`;
      await setPassword(ctx.db, {
        username: p.username,
        currentPassword: input.currentPassword,
        newPassword: input.newPassword,
        keepSessionId: p.sessionId,
      });
      return { ok: true as const };
    }),
});
