// First run: with no users at all, create the first administrator. Its password comes from
// MINOS_ADMIN_PASSWORD, or is generated, printed once and kept in a file only its owner can read (the
// console scrolls away, a service's output may not be kept), until the administrator changes it.
import { randomBytes } from "node:crypto";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import type { PrismaClient } from "../../platform/db/client";
import { recordAudit } from "../audit/record-audit";
import { hashPassword, verifyPassword } from "./password";

export const FIRST_ADMIN = "admin";

/** In the data directory: the generated password of the first administrator, until it is changed. */
export const ADMIN_PASSWORD_FILE = "admin-password";

export async function ensureFirstAdmin(
  db: PrismaClient,
  opts: { password?: string; print: (lines: string[]) => void; passwordFile?: string },
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
  if (generated && opts.passwordFile) {
    // "wx": never over a file that is there (it would be someone else's).
    await writeFile(opts.passwordFile, `${password}\n`, { mode: 0o600, flag: "wx" });
  }
  opts.print(
    generated
      ? [
          "First start: created the administrator account.",
          `  user name: ${FIRST_ADMIN}`,
          `  password:  ${password}`,
          opts.passwordFile
            ? `It is also in ${opts.passwordFile} (readable by its owner only) until you change it. Sign in and change it under Settings.`
            : "This password is shown only this once. Sign in and change it under Settings.",
          `Lost it? npm run minos -- user reset-password ${FIRST_ADMIN}`,
        ]
      : [
          `First start: created the administrator account "${FIRST_ADMIN}" with the password from MINOS_ADMIN_PASSWORD.`,
        ],
  );
  return { created: true };
}

/**
 * Removes the kept first password once the administrator has changed it (it no longer works, and a
 * password lying about is one too many). Returns whether it did.
 */
export async function forgetFirstPassword(db: PrismaClient, passwordFile: string): Promise<boolean> {
  const kept = await stat(passwordFile).catch(() => null);
  if (!kept) return false;
  const admin = await db.user.findUnique({
    where: { username: FIRST_ADMIN },
    select: { passwordHash: true },
  });
  const password = (await readFile(passwordFile, "utf8")).trim();
  if (admin?.passwordHash && (await verifyPassword(admin.passwordHash, password))) return false;
  await rm(passwordFile, { force: true });
  return true;
}
