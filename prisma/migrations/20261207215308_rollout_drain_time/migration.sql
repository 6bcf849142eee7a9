-- How long each node's drain took before its reboot (server/features/rollouts/reconciler/kube-steps.ts).
-- AlterTable
ALTER TABLE "rollout_machine" ADD COLUMN     "drain_ms" INTEGER;
