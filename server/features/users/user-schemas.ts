// Input rules for users and grants, shared by the API and the admin CLI.
import { z } from "zod";
import { MAX_PASSWORD_LENGTH } from "../../access/auth/password";
import { ADMIN_SCOPE_REFUSED, grantAllowed } from "../../model/admin-scope";
import { AppError } from "../../model/errors";
import { roles } from "../../model/permissions";
import { scopeSchema } from "../../model/scope";

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, "must be 2–63 characters: letters, digits, '.', '_' or '-'");

export const passwordSchema = z
  .string()
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const grantSchema = z
  .object({ role: z.enum(roles), scope: scopeSchema.default("") })
  .refine(grantAllowed, { message: ADMIN_SCOPE_REFUSED, path: ["scope"] });

/** The same rule for grants that did not come through grantSchema (the admin CLI builds its own). */
export function assertGrantsAllowed(grants: readonly GrantInput[]): void {
  if (grants.every(grantAllowed)) return;
  throw new AppError("BAD_REQUEST", { userMessage: `Refused: ${ADMIN_SCOPE_REFUSED}.` });
}
export type GrantInput = z.infer<typeof grantSchema>;
