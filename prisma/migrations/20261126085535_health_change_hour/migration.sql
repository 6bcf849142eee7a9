-- CreateTable
CREATE TABLE "health_change_hour" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "from_value" TEXT NOT NULL,
    "to_value" TEXT NOT NULL,
    "changes" INTEGER NOT NULL,

    CONSTRAINT "health_change_hour_pkey" PRIMARY KEY ("hour","from_value","to_value")
);

-- The hour a change is counted in: the hour that ends at or after it, so a change exactly on an hour's
-- edge belongs to the hour before the edge (the edge's point in the history still shows the state it
-- ended). Absolute hours, whatever the session's time zone.
CREATE FUNCTION "health_change_hour_of"(at TIMESTAMPTZ) RETURNS TIMESTAMPTZ
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN date_bin('1 hour', at - interval '1 microsecond', TIMESTAMPTZ '2001-01-01 00:00:00+00');

-- health_change_hour counts the health changes of machines that are not removed, in the same transaction
-- as the write, like machine_count: statement-level triggers on machine_state_change (one grouped upsert
-- per statement, keys in sorted order so concurrent writers queue instead of deadlocking), and row-level
-- triggers on machine for the rare removal, restore or deletion, which move that machine's whole history
-- out of (or back into) the counts. Counts that reach zero are deleted.
--
-- A change written while its machine is being removed in another transaction: the insert first takes a
-- share lock on the machines it counts, so it waits for the removal to commit and then sees it (and a
-- removal waiting on that lock sees the change once it is committed). The writers never hold other locks
-- on those machines in another order, so this cannot deadlock with them.
CREATE FUNCTION "health_change_hour_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM machine m
    WHERE m.id IN (SELECT machine_id FROM new_rows WHERE field = 'health')
    ORDER BY m.id FOR SHARE OF m;
  INSERT INTO health_change_hour AS h
  SELECT health_change_hour_of(n.at), n.from_value, n.to_value, count(*)::int
    FROM new_rows n
   WHERE n.field = 'health'
     AND NOT EXISTS (SELECT 1 FROM machine m WHERE m.id = n.machine_id AND m.removed_at IS NOT NULL)
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT health_change_hour_pkey DO UPDATE SET changes = h.changes + excluded.changes;
  RETURN NULL;
END;
$$;

-- A deleted change whose machine is gone was taken out with its machine (health_change_hour_machine_deleted).
CREATE FUNCTION "health_change_hour_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO health_change_hour AS h
  SELECT health_change_hour_of(o.at), o.from_value, o.to_value, -count(*)::int
    FROM old_rows o
   WHERE o.field = 'health'
     AND EXISTS (SELECT 1 FROM machine m WHERE m.id = o.machine_id AND m.removed_at IS NULL)
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT health_change_hour_pkey DO UPDATE SET changes = h.changes + excluded.changes;
  IF FOUND THEN
    DELETE FROM health_change_hour WHERE changes = 0;
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "health_change_hour_after_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO health_change_hour AS h
  SELECT hour, from_value, to_value, sum(n)::int
    FROM (
      SELECT health_change_hour_of(o.at) AS hour, o.from_value, o.to_value, -1 AS n
        FROM old_rows o
       WHERE o.field = 'health'
         AND EXISTS (SELECT 1 FROM machine m WHERE m.id = o.machine_id AND m.removed_at IS NULL)
      UNION ALL
      SELECT health_change_hour_of(n.at), n.from_value, n.to_value, 1
        FROM new_rows n
       WHERE n.field = 'health'
         AND EXISTS (SELECT 1 FROM machine m WHERE m.id = n.machine_id AND m.removed_at IS NULL)
    ) d
   GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT health_change_hour_pkey DO UPDATE SET changes = h.changes + excluded.changes;
  IF FOUND THEN
    DELETE FROM health_change_hour WHERE changes = 0;
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "health_change_hour_after_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM health_change_hour;
  RETURN NULL;
END;
$$;

-- One machine's history into (+1) or out of (-1) the counts.
CREATE FUNCTION "health_change_hour_move"(machine UUID, sign INTEGER) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO health_change_hour AS h
  SELECT health_change_hour_of(s.at), s.from_value, s.to_value, sign * count(*)::int
    FROM machine_state_change s
   WHERE s.machine_id = machine AND s.field = 'health'
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT health_change_hour_pkey DO UPDATE SET changes = h.changes + excluded.changes;
  IF FOUND AND sign < 0 THEN
    DELETE FROM health_change_hour WHERE changes = 0;
  END IF;
END;
$$;

CREATE FUNCTION "health_change_hour_machine_removed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM health_change_hour_move(NEW.id, CASE WHEN NEW.removed_at IS NULL THEN 1 ELSE -1 END);
  RETURN NULL;
END;
$$;

-- Before the row goes: its history is still there to count (the cascade deletes it afterwards).
CREATE FUNCTION "health_change_hour_machine_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM health_change_hour_move(OLD.id, -1);
  RETURN OLD;
END;
$$;

CREATE TRIGGER "health_change_hour_after_insert" AFTER INSERT ON "machine_state_change"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "health_change_hour_after_insert"();
CREATE TRIGGER "health_change_hour_after_delete" AFTER DELETE ON "machine_state_change"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "health_change_hour_after_delete"();
CREATE TRIGGER "health_change_hour_after_update" AFTER UPDATE ON "machine_state_change"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "health_change_hour_after_update"();
CREATE TRIGGER "health_change_hour_after_truncate" AFTER TRUNCATE ON "machine_state_change"
  FOR EACH STATEMENT EXECUTE FUNCTION "health_change_hour_after_truncate"();
CREATE TRIGGER "health_change_hour_machine_removed" AFTER UPDATE OF "removed_at" ON "machine"
  FOR EACH ROW WHEN ((OLD.removed_at IS NULL) IS DISTINCT FROM (NEW.removed_at IS NULL))
  EXECUTE FUNCTION "health_change_hour_machine_removed"();
CREATE TRIGGER "health_change_hour_machine_deleted" BEFORE DELETE ON "machine"
  FOR EACH ROW WHEN (OLD.removed_at IS NULL)
  EXECUTE FUNCTION "health_change_hour_machine_deleted"();

-- Existing history.
INSERT INTO health_change_hour
SELECT health_change_hour_of(s.at), s.from_value, s.to_value, count(*)::int
  FROM machine_state_change s
 WHERE s.field = 'health'
   AND NOT EXISTS (SELECT 1 FROM machine m WHERE m.id = s.machine_id AND m.removed_at IS NOT NULL)
 GROUP BY 1, 2, 3;
