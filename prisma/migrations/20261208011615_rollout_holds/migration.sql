-- Why a rollout's waiting machines and waves wait (a closed window, a cap, an unhealthy cluster), kept by the reconciler.
-- AlterTable
ALTER TABLE "rollout_wave" ADD COLUMN     "hold" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "rollout_machine" ADD COLUMN     "hold" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "hold_until" TIMESTAMPTZ(3);
