-- AlterTable
ALTER TABLE "drift_item" ADD COLUMN     "acknowledged_until" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "drift_item_state_kind_idx" ON "drift_item"("state", "kind");

-- Items acknowledged before the column existed
UPDATE "drift_item" i SET "acknowledged_until" = a."expires_at"
FROM "drift_acknowledgement" a
WHERE a."machine_id" = i."machine_id" AND a."field" = i."field";
