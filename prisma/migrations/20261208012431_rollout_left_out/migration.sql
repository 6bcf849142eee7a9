-- The machines a rollout's plan left out, with why, kept with the rollout.
-- CreateTable
CREATE TABLE "rollout_left_out" (
    "rollout_id" UUID NOT NULL,
    "machine_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "rollout_left_out_pkey" PRIMARY KEY ("rollout_id","machine_id")
);

-- CreateIndex
CREATE INDEX "rollout_left_out_machine_id_idx" ON "rollout_left_out"("machine_id");

-- AddForeignKey
ALTER TABLE "rollout_left_out" ADD CONSTRAINT "rollout_left_out_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_left_out" ADD CONSTRAINT "rollout_left_out_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;
