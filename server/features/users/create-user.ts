// Creates a local user with a password and role grants.
import { assertPasswordPolicy, hashPassword } from "../../access/auth/password";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { assertGrantsAllowed, type GrantInput } from "./user-schemas";

export async function createUser(
  db: PrismaClient,
  input: { username: string; displayName?: string; password: string; grants: GrantInput[] },
): Promise<{ id: string; username: string }> {
  assertPasswordPolicy(input.password, input.username);
  if (input.grants.length === 0) {
    throw new AppError("BAD_REQUEST", { userMessage: "Give the user at least one role." });
  }
  assertGrantsAllowed(input.grants);
  try {
    return await db.user.create({
      data: {
        username: input.username,
        displayName: input.displayName ?? "",
        passwordHash: await hashPassword(input.password),
        passwordChangedAt: new Date(),
        grants: { create: input.grants.map((g) => ({ role: g.role, scope: g.scope })) },
      },
      select: { id: true, username: true },
    });
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") {
      throw new AppError("CONFLICT", { userMessage: `A user named "${input.username}" already exists.` });
    }
    throw err;
  }
}
