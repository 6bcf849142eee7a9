// Procedure builders. Every procedure declares what it needs: `publicProcedure` for the few that
// need nothing (sign-in), `authorized(permission)` for everything else. Deny by default: a
// procedure that reaches the check without a declared permission is refused.
import { TRPCError } from "@trpc/server";
import type { Permission } from "../auth/permissions";
import { baseProcedure } from "./init";

const requireDeclaredPermission = baseProcedure.use(({ meta, next }) => {
  if (!meta?.permission) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "This action declares no permission, so it is refused.",
    });
  }
  // Sign-in and roles arrive with the identity work (issue 4): this is where the caller's roles
  // and scope are checked against meta.permission.
  return next();
});

export const publicProcedure = requireDeclaredPermission.meta({ permission: "public" });

export function authorized(permission: Permission) {
  return requireDeclaredPermission.meta({ permission });
}
