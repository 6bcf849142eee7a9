-- AlterTable
ALTER TABLE "machine_drift_state" ADD COLUMN     "schematic" JSONB;
