-- AlterTable
ALTER TABLE "rollout_wave" ADD COLUMN     "approval_requested_at" TIMESTAMPTZ(3);
