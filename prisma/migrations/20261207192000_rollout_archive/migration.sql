-- Finished rollouts can be archived out of the default rollouts list (server/rollouts/archive-rollout.ts).
-- AlterTable
ALTER TABLE "rollout" ADD COLUMN     "archived_at" TIMESTAMPTZ(3),
ADD COLUMN     "archived_by" TEXT;
