-- AlterTable
ALTER TABLE "machine_drift_state" ADD COLUMN     "fingerprint" TEXT;

-- CreateTable
CREATE TABLE "drift_fingerprint" (
    "fingerprint" TEXT NOT NULL,
    "components" JSONB NOT NULL,
    "used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "drift_fingerprint_pkey" PRIMARY KEY ("fingerprint")
);

-- CreateIndex
CREATE INDEX "machine_drift_state_fingerprint_idx" ON "machine_drift_state"("fingerprint");
