-- The audit trail's signed head: the id and hash of its newest entry, with an HMAC under a key
-- derived from the instance's secret key. Appending keeps it on the newest entry; `audit verify`
-- compares it with the chain, so removing entries from the end (which a hash chain alone cannot
-- show) is detected. It starts unsigned: Minos signs it when it applies this migration.
CREATE TABLE "audit_head" (
  "id" SMALLINT NOT NULL DEFAULT 1,
  "last_id" BIGINT NOT NULL,
  "last_hash" TEXT NOT NULL,
  "key_id" TEXT,
  "mac" TEXT,
  "signed_at" TIMESTAMPTZ(3),
  CONSTRAINT "audit_head_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "audit_head_single_row" CHECK ("id" = 1)
);

INSERT INTO "audit_head" ("id", "last_id", "last_hash")
SELECT 1, coalesce(max("id"), 0), coalesce((SELECT "hash" FROM "audit_entry" ORDER BY "id" DESC LIMIT 1), '')
FROM "audit_entry";

-- Removing entries is no longer switched on by a session setting anyone can set. Any DELETE must
-- be what the retention job does: the oldest entries only, each older than a day (the shortest
-- retention Minos accepts), in the same transaction as the audit.prune entry recording it.
CREATE OR REPLACE FUNCTION "audit_entry_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RETURN OLD; -- checked for the whole statement by audit_entry_check_prune
  END IF;
  RAISE EXCEPTION 'audit_entry is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE FUNCTION "audit_entry_check_prune"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  newest_removed BIGINT;
BEGIN
  SELECT max("id") INTO newest_removed FROM removed;
  IF newest_removed IS NULL THEN
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM removed WHERE "at" > now() - interval '1 day') THEN
    RAISE EXCEPTION 'audit_entry: only entries older than a day can be removed, by the retention job'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (SELECT 1 FROM "audit_entry" WHERE "id" < newest_removed) THEN
    RAISE EXCEPTION 'audit_entry: only the oldest entries can be removed, with none older left behind'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM "audit_entry"
    WHERE "action" = 'audit.prune'
      AND "details" ->> 'throughId' = newest_removed::text
      AND "xmin" = pg_current_xact_id()::xid
  ) THEN
    RAISE EXCEPTION 'audit_entry: entries can only be removed together with the audit.prune entry recording it'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "audit_entry_check_prune"
  AFTER DELETE ON "audit_entry"
  REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_entry_check_prune"();
