-- Fleet changes: every statement that changes what the live fleet views show (machines, clusters, health
-- history, rollout locks) sends one notification on the channel "minos_fleet_changes", its payload the
-- table's name. Minos listens on one connection per process and tells open pages to refetch
-- (server/fleet/fleet-changes.ts, docs/architecture.md). Postgres folds identical notifications of one
-- transaction into one, and statement-level triggers fire once per statement whatever its number of rows.
--
-- Statements that change no row send nothing, and neither do updates that only refresh bookkeeping
-- columns, named as the update trigger's arguments: the collector rewrites last_seen_at of every machine
-- it hears from (about 170 machines a second at 10,000 machines), and discovery rewrites discovered_at
-- of every cluster each minute; ticking every open page for those would refetch them every second for
-- nothing new. Pages that show "last seen" poll for it.

CREATE FUNCTION "fleet_changes_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows) THEN
    PERFORM pg_notify('minos_fleet_changes', TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "fleet_changes_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_rows) THEN
    PERFORM pg_notify('minos_fleet_changes', TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END;
$$;

-- Rows whose columns other than the trigger's arguments changed: each row with those columns cleared,
-- new rows EXCEPT old rows (hashed, each row once: about 15 us a row; a join of the two transition tables
-- was planned as a nested loop, 400 ms for 1,000 rows).
CREATE FUNCTION "fleet_changes_after_update"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cleared jsonb := coalesce((SELECT jsonb_object_agg(c, NULL) FROM unnest(TG_ARGV) AS c), '{}'::jsonb);
BEGIN
  IF EXISTS (
    SELECT jsonb_populate_record(n, cleared) FROM new_rows n
    EXCEPT
    SELECT jsonb_populate_record(o, cleared) FROM old_rows o
  ) THEN
    PERFORM pg_notify('minos_fleet_changes', TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "fleet_changes_after_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('minos_fleet_changes', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "fleet_changes_after_insert" AFTER INSERT ON "machine"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_insert"();
CREATE TRIGGER "fleet_changes_after_update" AFTER UPDATE ON "machine"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_update"('last_seen_at', 'updated_at');
CREATE TRIGGER "fleet_changes_after_delete" AFTER DELETE ON "machine"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_delete"();
CREATE TRIGGER "fleet_changes_after_truncate" AFTER TRUNCATE ON "machine"
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_truncate"();

CREATE TRIGGER "fleet_changes_after_insert" AFTER INSERT ON "cluster"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_insert"();
CREATE TRIGGER "fleet_changes_after_update" AFTER UPDATE ON "cluster"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_update"('discovered_at', 'updated_at');
CREATE TRIGGER "fleet_changes_after_delete" AFTER DELETE ON "cluster"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_delete"();
CREATE TRIGGER "fleet_changes_after_truncate" AFTER TRUNCATE ON "cluster"
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_truncate"();

-- Health history (the overview's chart, the machine and cluster pages' history): rows are only added,
-- and removed by retention or with their machine.
CREATE TRIGGER "fleet_changes_after_insert" AFTER INSERT ON "machine_state_change"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_insert"();

-- Rollout locks, shown on machine rows and pages.
CREATE TRIGGER "fleet_changes_after_insert" AFTER INSERT ON "rollout_lock"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_insert"();
CREATE TRIGGER "fleet_changes_after_update" AFTER UPDATE ON "rollout_lock"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_update"();
CREATE TRIGGER "fleet_changes_after_delete" AFTER DELETE ON "rollout_lock"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "fleet_changes_after_delete"();
