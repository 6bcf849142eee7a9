-- Credential changes: adding, replacing or removing a Talos credential notifies the channel
-- "minos_fleet_changes" with the payload "talos_credential" (the functions of the fleet_changes
-- migration). Every instance hears it and stops using a certificate that is no longer stored at once:
-- open log streams and rollout calls on it end, and the next job opens the cluster's current credential
-- (server/credentials/cluster-clients.ts). Open fleet pages hear it as any other change and refetch
-- (a cluster's credential decides whether its machines can be read).
CREATE TRIGGER "fleet_changes_after_insert" AFTER INSERT ON "talos_credential"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_insert"();
CREATE TRIGGER "fleet_changes_after_update" AFTER UPDATE ON "talos_credential"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_update"('updated_at');
CREATE TRIGGER "fleet_changes_after_delete" AFTER DELETE ON "talos_credential"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_delete"();
CREATE TRIGGER "fleet_changes_after_truncate" AFTER TRUNCATE ON "talos_credential"
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_truncate"();

-- One number that changes with every change to any credential: a cached Talos client compares it (with
-- its cluster's endpoints and linked credential) before each job, a primary-key read instead of reading
-- every candidate credential (1.2 ms with 1,000 credentials of one CA, 0.1 ms this way).
CREATE TABLE "talos_credential_version" (
  "id" INTEGER PRIMARY KEY DEFAULT 1 CHECK ("id" = 1),
  "version" BIGINT NOT NULL
);
INSERT INTO "talos_credential_version" ("id", "version") VALUES (1, 1);

CREATE FUNCTION "talos_credential_version_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "talos_credential_version" SET "version" = "version" + 1 WHERE "id" = 1;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "talos_credential_version_bump" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "talos_credential"
  FOR EACH STATEMENT EXECUTE FUNCTION "talos_credential_version_bump"();
