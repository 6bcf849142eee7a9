// First run: with no users at all, create the first administrator. Its password comes from
// MINOS_ADMIN_PASSWORD, or is generated and printed once.
import { randomBytes } from "node:crypto";
import { recordAudit } from "../audit/record-audit";
import type { PrismaClient } from "../db/client";
import { hashPassword } from "./password";

export const FIRST_ADMIN = "admin";

export async function ensureFirstAdmin(
  db: PrismaClient,
  opts: { password?: string; print: (lines: string[]) => void },
): Promise<{ created: boolean }> {
  if ((await db.user.count()) > 0) return { created: false };
  const generated = !opts.password;
  const password = opts.password ?? randomBytes(15).toString("base64url");
  try {
    await db.user.create({
      data: {
        username: FIRST_ADMIN,
        displayName: "Administrator",
        passwordHash: await hashPassword(password),
        passwordChangedAt: new Date(),
        grants: { create: { role: "admin", scope: "" } },
      },
    });
  } catch (err) {
    // Another instance created it at the same moment.
    if ((err as { code?: string }).code === "P2002") return { created: false };
    throw err;
  }
  await recordAudit(db, {
    actor: "system",
    action: "user.create",
    target: `user:${FIRST_ADMIN}`,
    result: "ok",
    details: {
      reason: "first start",
      roles: ["admin"],
      passwordSource: generated ? "generated" : "MINOS_ADMIN_PASSWORD",
    },
  });
  opts.print(
    generated
      ? [
          "First start: created the administrator account.",
          `  user name: ${FIRST_ADMIN}`,
          `  password:  ${password}`,
          "This password is shown only this once. Sign in and change it under Settings.",
        ]
      : [
          `First start: created the administrator account "${FIRST_ADMIN}" with the password from MINOS_ADMIN_PASSWORD.`,
        ],
  );
  return { created: true };
}
