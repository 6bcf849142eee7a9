-- Administrators are fleet-wide (server/auth/admin-scope.ts): an admin limited to a site could grant
-- itself, or anyone, the whole fleet, since users, credentials and the audit trail belong to no site.
-- A scoped admin grant becomes what site administration is, operator and approver in the same scope;
-- a token made admin in a scope is revoked. Then the database refuses either from now on.
INSERT INTO "role_grant" ("id", "user_id", "role", "scope", "source")
SELECT gen_random_uuid(), g."user_id", r.role::"Role", g."scope", g."source"
FROM "role_grant" g CROSS JOIN (VALUES ('operator'), ('approver')) AS r(role)
WHERE g."role" = 'admin' AND g."scope" <> ''
ON CONFLICT ("user_id", "role", "scope", "source") DO NOTHING;
DELETE FROM "role_grant" WHERE "role" = 'admin' AND "scope" <> '';
ALTER TABLE "role_grant" ADD CONSTRAINT "role_grant_admin_fleet_wide" CHECK ("role" <> 'admin' OR "scope" = '');

UPDATE "api_token" SET "revoked_at" = now() WHERE "role" = 'admin' AND "scope" <> '' AND "revoked_at" IS NULL;
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_admin_fleet_wide"
  CHECK ("role" <> 'admin' OR "scope" = '' OR "revoked_at" IS NOT NULL);
