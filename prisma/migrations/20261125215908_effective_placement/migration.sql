-- AlterTable
ALTER TABLE "machine" ADD COLUMN     "effective_labels" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "effective_site" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "machine_effective_site_idx" ON "machine"("effective_site");

-- Prefix matches on the site (LIKE 'eu/dk/%') need a pattern-ops index.
CREATE INDEX "machine_effective_site_pattern_idx" ON "machine"("effective_site" text_pattern_ops);

-- A machine's effective site and labels follow its own values and its cluster's.
CREATE FUNCTION "machine_effective_placement"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c RECORD;
BEGIN
  SELECT site, labels INTO c FROM "cluster" WHERE id = NEW.cluster_id;
  NEW.effective_site := COALESCE(NEW.site, c.site, '');
  NEW.effective_labels := COALESCE(c.labels, '{}'::jsonb) || COALESCE(NEW.labels, '{}'::jsonb);
  RETURN NEW;
END;
$$;

CREATE TRIGGER "machine_effective_placement"
  BEFORE INSERT OR UPDATE OF site, labels, cluster_id ON "machine"
  FOR EACH ROW EXECUTE FUNCTION "machine_effective_placement"();

CREATE FUNCTION "cluster_effective_placement"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "machine"
     SET effective_site = COALESCE(site, NEW.site, ''),
         effective_labels = COALESCE(NEW.labels, '{}'::jsonb) || COALESCE(labels, '{}'::jsonb)
   WHERE cluster_id = NEW.id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "cluster_effective_placement"
  AFTER UPDATE OF site, labels ON "cluster"
  FOR EACH ROW WHEN (OLD.site IS DISTINCT FROM NEW.site OR OLD.labels IS DISTINCT FROM NEW.labels)
  EXECUTE FUNCTION "cluster_effective_placement"();

-- Existing machines.
UPDATE "machine" m
   SET effective_site = COALESCE(m.site, c.site, ''),
       effective_labels = COALESCE(c.labels, '{}'::jsonb) || COALESCE(m.labels, '{}'::jsonb)
  FROM "cluster" c
 WHERE c.id = m.cluster_id;
