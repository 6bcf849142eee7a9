// Procedure builders. Every procedure declares what it needs: `publicProcedure` for the few that
// need nothing (sign-in), `authorized(permission)` for everything else.
import type { Permission } from "../auth/permissions";
import { procedure } from "./init";

export const publicProcedure = procedure.meta({ permission: "public" });

export function authorized(permission: Permission) {
  return procedure.meta({ permission });
}
