-- CreateTable
CREATE TABLE "machine_count" (
    "cluster_id" UUID NOT NULL,
    "effective_site" TEXT NOT NULL,
    "health" "Health" NOT NULL,
    "talos_version" TEXT NOT NULL,
    "kubernetes_version" TEXT NOT NULL,
    "machines" INTEGER NOT NULL,

    CONSTRAINT "machine_count_pkey" PRIMARY KEY ("cluster_id","effective_site","health","talos_version","kubernetes_version")
);

-- CreateIndex
CREATE INDEX "machine_created_at_idx" ON "machine"("created_at");

-- machine_count follows every INSERT, UPDATE, DELETE and TRUNCATE of machine, in the same transaction.
-- Statement-level triggers: one grouped upsert per statement whatever the number of rows (the collector
-- writes up to 1,000 machines per statement), keys locked in sorted order so concurrent writers queue
-- instead of deadlocking. Counts that reach zero are deleted; the partial index finds them.
CREATE INDEX "machine_count_empty_idx" ON "machine_count" ("cluster_id") WHERE "machines" = 0;

CREATE FUNCTION "machine_count_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO machine_count AS mc
  SELECT cluster_id, effective_site, health, talos_version, kubernetes_version, count(*)::int
    FROM new_rows WHERE removed_at IS NULL
   GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT machine_count_pkey DO UPDATE SET machines = mc.machines + excluded.machines;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "machine_count_after_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO machine_count AS mc
  SELECT cluster_id, effective_site, health, talos_version, kubernetes_version, sum(n)::int
    FROM (
      SELECT cluster_id, effective_site, health, talos_version, kubernetes_version, -1 AS n
        FROM old_rows WHERE removed_at IS NULL
      UNION ALL
      SELECT cluster_id, effective_site, health, talos_version, kubernetes_version, 1
        FROM new_rows WHERE removed_at IS NULL
    ) d
   GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT machine_count_pkey DO UPDATE SET machines = mc.machines + excluded.machines;
  IF FOUND THEN
    DELETE FROM machine_count WHERE machines = 0;
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "machine_count_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO machine_count AS mc
  SELECT cluster_id, effective_site, health, talos_version, kubernetes_version, -count(*)::int
    FROM old_rows WHERE removed_at IS NULL
   GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT machine_count_pkey DO UPDATE SET machines = mc.machines + excluded.machines;
  IF FOUND THEN
    DELETE FROM machine_count WHERE machines = 0;
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "machine_count_after_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM machine_count;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "machine_count_after_insert" AFTER INSERT ON "machine"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "machine_count_after_insert"();
CREATE TRIGGER "machine_count_after_update" AFTER UPDATE ON "machine"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "machine_count_after_update"();
CREATE TRIGGER "machine_count_after_delete" AFTER DELETE ON "machine"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "machine_count_after_delete"();
CREATE TRIGGER "machine_count_after_truncate" AFTER TRUNCATE ON "machine"
  FOR EACH STATEMENT EXECUTE FUNCTION "machine_count_after_truncate"();

-- Existing machines.
INSERT INTO machine_count
SELECT cluster_id, effective_site, health, talos_version, kubernetes_version, count(*)::int
  FROM machine WHERE removed_at IS NULL
 GROUP BY 1, 2, 3, 4, 5;

-- Health history, fleet-wide, excludes removed machines' changes: these few rows have an index of their own.
CREATE INDEX "machine_removed_idx" ON "machine" ("id") WHERE "removed_at" IS NOT NULL;

