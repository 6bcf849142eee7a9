// Administrators are fleet-wide: a scope on the admin role is refused wherever a grant is made (the API,
// the admin CLI's way in, tokens, the single sign-on role map, the database itself), and a database that
// held scoped admins before is migrated to operator and approver in the same scope.
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../access/auth/api-tokens";
import { createCaller } from "../api/app-router";
import { createContextInner } from "../api/trpc/context";
import { createUser } from "../features/users/create-user";
import { setUserGrants } from "../features/users/set-user-grants";
import { applyMigrations } from "../platform/db/migrate";
import { migrationsDir } from "../platform/db/migrations-dir";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { principalWith } from "../testing/principals";
import { parseRoleMap } from "./oidc-role-map";

const REFUSED = /the admin role is always fleet-wide/;
let database: TestDatabase;
const admin = principalWith("ada", "admin");

beforeAll(async () => {
  database = await createTestDatabase();
  admin.userId = (
    await database.db.user.create({ data: { username: "ada", grants: { create: [{ role: "admin" }] } } })
  ).id;
});
afterAll(() => database.drop());

const asAdmin = () => createCaller(createContextInner({ db: database.db, principal: admin }));

describe("a scoped administrator", () => {
  it("cannot be created or granted through the API, saying what to give instead", async () => {
    const grants = [{ role: "admin" as const, scope: "site:eu/*" }];
    await expect(
      asAdmin().users.create({ username: "eve", password: "a long enough password 1", grants }),
    ).rejects.toThrow(/give admin without a scope, or give operator and approver in that scope/);
    await database.db.user.create({ data: { username: "sam", grants: { create: [{ role: "viewer" }] } } });
    await expect(asAdmin().users.setGrants({ username: "sam", grants })).rejects.toThrow(REFUSED);
    expect(await database.db.user.findUnique({ where: { username: "eve" } })).toBeNull();
    expect(
      (await database.db.roleGrant.findMany({ where: { user: { username: "sam" } } })).map((g) => g.role),
    ).toEqual(["viewer"]);
  });

  it("cannot be created through the admin CLI's way in either", async () => {
    const grants = [{ role: "admin" as const, scope: "site:eu/*" }];
    await expect(
      createUser(database.db, { username: "cli-eve", password: "a long enough password 2", grants }),
    ).rejects.toThrow(REFUSED);
    await expect(setUserGrants(database.db, "sam", grants)).rejects.toThrow(REFUSED);
  });

  it("cannot be a token, nor a group of the single sign-on role map", async () => {
    await expect(
      createApiToken(database.db, {
        ownerId: admin.userId,
        name: "eu-admin",
        role: "admin",
        scope: "site:eu/*",
        expiresInDays: 7,
        creator: admin,
      }),
    ).rejects.toThrow(REFUSED);
    const parsed = parseRoleMap("platform=admin;dk-admins=admin@site:eu/dk/*;dk-ops=operator@site:eu/dk/*");
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      expect.stringMatching(
        /^entry "dk-admins=admin@site:eu\/dk\/\*" is refused: the admin role is always fleet-wide/,
      ),
    ]);
  });

  it("is refused by the database itself", async () => {
    const sam = await database.db.user.findUniqueOrThrow({ where: { username: "sam" } });
    await expect(
      database.db.roleGrant.create({ data: { userId: sam.id, role: "admin", scope: "site:eu/*" } }),
    ).rejects.toThrow(/role_grant_admin_fleet_wide/);
  });

  it("held before becomes operator and approver in the same scope, and a scoped admin token is revoked", async () => {
    const old = await createTestDatabase({ migrate: false });
    const before = await mkdtemp(path.join(os.tmpdir(), "minos-migrations-"));
    try {
      // The database as it was before the rule: every migration up to the one that brings it.
      for (const name of await readdir(migrationsDir)) {
        if (name.endsWith("_admin_fleet_wide")) continue;
        await cp(path.join(migrationsDir, name), path.join(before, name), { recursive: true });
      }
      await applyMigrations(old.url, before);
      const c = new pg.Client({ connectionString: old.url });
      await c.connect();
      try {
        const { rows } = await c.query<{ id: string }>(
          `INSERT INTO app_user (id, username, updated_at) VALUES (gen_random_uuid(), 'euadmin', now()) RETURNING id`,
        );
        const id = rows[0]?.id;
        await c.query(
          `INSERT INTO role_grant (id, user_id, role, scope) VALUES (gen_random_uuid(), $1, 'admin', 'site:eu/*'),
             (gen_random_uuid(), $1, 'viewer', '')`,
          [id],
        );
        await c.query(
          `INSERT INTO api_token (id, name, prefix, token_hash, owner_id, created_by, role, scope, expires_at)
           VALUES (gen_random_uuid(), 'eu', 'p', 'h', $1, 'euadmin', 'admin', 'site:eu/*', now() + interval '1 day')`,
          [id],
        );
        await applyMigrations(old.url);
        const grants = await c.query(
          `SELECT role::text, scope FROM role_grant WHERE user_id = $1 ORDER BY role, scope`,
          [id],
        );
        expect(grants.rows).toEqual([
          { role: "approver", scope: "site:eu/*" },
          { role: "operator", scope: "site:eu/*" },
          { role: "viewer", scope: "" },
        ]);
        const token = await c.query(`SELECT revoked_at FROM api_token WHERE owner_id = $1`, [id]);
        expect(token.rows[0]?.revoked_at).toBeInstanceOf(Date);
      } finally {
        await c.end();
      }
    } finally {
      await old.drop();
      await rm(before, { recursive: true, force: true });
    }
  });
});
