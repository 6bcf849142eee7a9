-- The rollout's optional pod check: each wave's pods in trouble before it started, and a hold after the bake that a person resumed.
-- AlterTable
ALTER TABLE "rollout_wave" ADD COLUMN     "pod_baseline" JSONB,
ADD COLUMN     "pod_check_held_at" TIMESTAMPTZ(3),
ADD COLUMN     "pod_check_waived_by" TEXT;
