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

-- health_change_hour counts every health change in machine_state_change, removed machines' included (the
-- history subtracts those, few, when it reads), in the same transaction as the write, like machine_count:
-- statement-level triggers, one grouped upsert per statement whatever the number of rows, keys in sorted
-- order so concurrent writers queue instead of deadlocking. A machine deleted takes its changes with it
-- (the cascade deletes them, and the delete trigger counts them out). Counts that reach zero are deleted.
-- Nothing here reads another table, so a change never waits for, or races with, an edit of its machine.
CREATE FUNCTION "health_change_hour_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO health_change_hour AS h
  SELECT health_change_hour_of(n.at), n.from_value, n.to_value, count(*)::int
    FROM new_rows n WHERE n.field = 'health'
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT health_change_hour_pkey DO UPDATE SET changes = h.changes + excluded.changes;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "health_change_hour_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO health_change_hour AS h
  SELECT health_change_hour_of(o.at), o.from_value, o.to_value, -count(*)::int
    FROM old_rows o WHERE o.field = 'health'
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
        FROM old_rows o WHERE o.field = 'health'
      UNION ALL
      SELECT health_change_hour_of(n.at), n.from_value, n.to_value, 1
        FROM new_rows n WHERE n.field = 'health'
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

-- Existing history.
INSERT INTO health_change_hour
SELECT health_change_hour_of(s.at), s.from_value, s.to_value, count(*)::int
  FROM machine_state_change s WHERE s.field = 'health'
 GROUP BY 1, 2, 3;
