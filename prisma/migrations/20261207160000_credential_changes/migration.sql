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
