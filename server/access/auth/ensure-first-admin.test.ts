import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { setPassword } from "../../features/users/set-password";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { ensureFirstAdmin, forgetFirstPassword } from "./ensure-first-admin";
import { login } from "./login";

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

describe("first start", () => {
  it("creates one administrator with a generated password printed once, and never again", async () => {
    database = await createTestDatabase();
    const printed: string[][] = [];
    expect(await ensureFirstAdmin(database.db, { print: (l) => printed.push(l) })).toEqual({ created: true });
    expect(await ensureFirstAdmin(database.db, { print: (l) => printed.push(l) })).toEqual({
      created: false,
    });
    expect(printed).toHaveLength(1);
    const password =
      printed[0]
        ?.find((l) => l.includes("password:"))
        ?.split("password:")[1]
        ?.trim() ?? "";
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(printed[0]?.join("\n")).toContain("shown only this once");
    await expect(
      login(database.db, { username: "admin", password, address: null, userAgent: null }),
    ).resolves.toBeTruthy();
    const admin = await database.db.user.findUniqueOrThrow({
      where: { username: "admin" },
      include: { grants: true },
    });
    expect(admin.grants).toMatchObject([{ role: "admin", scope: "" }]);
    expect(admin.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("uses MINOS_ADMIN_PASSWORD when given, without printing it", async () => {
    database = await createTestDatabase();
    const printed: string[][] = [];
    await ensureFirstAdmin(database.db, { password: "from-the-environment", print: (l) => printed.push(l) });
    expect(printed.flat().join("\n")).not.toContain("from-the-environment");
    await expect(
      login(database.db, {
        username: "admin",
        password: "from-the-environment",
        address: null,
        userAgent: null,
      }),
    ).resolves.toBeTruthy();
  });

  it("keeps a generated password in an owner-only file of the data directory until the administrator changes it", async () => {
    database = await createTestDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), "minos-first-admin-"));
    try {
      const passwordFile = path.join(dir, "admin-password");
      const printed: string[][] = [];
      await ensureFirstAdmin(database.db, { print: (l) => printed.push(l), passwordFile });
      const kept = (await readFile(passwordFile, "utf8")).trim();
      expect(printed.flat().join("\n")).toContain(`password:  ${kept}`);
      expect(printed.flat().join("\n")).toContain(
        `It is also in ${passwordFile} (readable by its owner only)`,
      );
      expect(printed.flat().join("\n")).toContain("Lost it? npm run minos -- user reset-password admin");
      expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
      // Still the password: kept.
      expect(await forgetFirstPassword(database.db, passwordFile)).toBe(false);
      await setPassword(database.db, { username: "admin", newPassword: "a-new-chosen-passphrase" });
      expect(await forgetFirstPassword(database.db, passwordFile)).toBe(true);
      await expect(stat(passwordFile)).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
