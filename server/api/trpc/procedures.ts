// Procedure builders. Every procedure declares what it needs: `publicProcedure` for the few that
// need nothing (sign-in), `authorized(permission)` for everything else. Handlers of authorized
// procedures see `ctx.principal` as non-null: the permission check in init.ts ran before them.
import { TRPCError } from "@trpc/server";
import type { Permission } from "../../model/permissions";
import { procedure } from "./init";

export const publicProcedure = procedure.meta({ permission: "public" });

export function authorized(permission: Permission) {
  return procedure.meta({ permission }).use(({ ctx, next }) => {
    if (!ctx.principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
    return next({ ctx: { principal: ctx.principal } });
  });
}
