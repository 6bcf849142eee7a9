-- CreateEnum
CREATE TYPE "RolloutStatus" AS ENUM ('pending', 'running', 'paused', 'aborting', 'aborted', 'completed', 'rejected');

-- CreateEnum
CREATE TYPE "WaveStatus" AS ENUM ('pending', 'approved', 'running', 'baking', 'done', 'rejected');

-- CreateEnum
CREATE TYPE "RolloutMachinePhase" AS ENUM ('pending', 'pulling', 'pulled', 'upgrading', 'done', 'failed', 'skipped');

-- CreateTable
CREATE TABLE "rollout" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "target_version" TEXT NOT NULL,
    "installer_image" TEXT NOT NULL,
    "scope_text" TEXT NOT NULL DEFAULT '',
    "wave_plan" JSONB NOT NULL,
    "safety" JSONB NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "status" "RolloutStatus" NOT NULL DEFAULT 'pending',
    "status_reason" TEXT NOT NULL DEFAULT '',
    "current_wave" INTEGER NOT NULL DEFAULT 0,
    "created_by_id" UUID NOT NULL,
    "created_by" TEXT NOT NULL,
    "last_changed_by_id" UUID NOT NULL,
    "last_changed_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_wave" (
    "id" UUID NOT NULL,
    "rollout_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "status" "WaveStatus" NOT NULL DEFAULT 'pending',
    "auto_advance" BOOLEAN NOT NULL DEFAULT false,
    "started_at" TIMESTAMPTZ(3),
    "bake_started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollout_wave_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_machine" (
    "id" UUID NOT NULL,
    "rollout_id" UUID NOT NULL,
    "machine_id" UUID NOT NULL,
    "wave_index" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "phase" "RolloutMachinePhase" NOT NULL DEFAULT 'pending',
    "phase_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "in_flight_since" TIMESTAMPTZ(3),
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "issued_at" TIMESTAMPTZ(3),
    "actor_id" TEXT,
    "from_version" TEXT NOT NULL DEFAULT '',
    "boot_id_before" TEXT NOT NULL DEFAULT '',
    "boot_id_after" TEXT NOT NULL DEFAULT '',
    "progress" TEXT NOT NULL DEFAULT '',
    "error" TEXT,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollout_machine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_approval" (
    "id" UUID NOT NULL,
    "rollout_id" UUID NOT NULL,
    "wave_index" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "approved" BOOLEAN NOT NULL,
    "auto_advance" BOOLEAN NOT NULL DEFAULT false,
    "comment" TEXT NOT NULL DEFAULT '',
    "user_id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "voided_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollout_approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_lock" (
    "id" UUID NOT NULL,
    "machine_id" UUID,
    "cluster_id" UUID,
    "reason" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rollout_lock_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "rollout_status_idx" ON "rollout"("status");

-- CreateIndex
CREATE UNIQUE INDEX "rollout_wave_rollout_id_index_key" ON "rollout_wave"("rollout_id", "index");

-- CreateIndex
CREATE INDEX "rollout_machine_rollout_id_wave_index_position_idx" ON "rollout_machine"("rollout_id", "wave_index", "position");

-- CreateIndex
CREATE INDEX "rollout_machine_machine_id_idx" ON "rollout_machine"("machine_id");

-- CreateIndex
CREATE UNIQUE INDEX "rollout_machine_rollout_id_machine_id_key" ON "rollout_machine"("rollout_id", "machine_id");

-- CreateIndex
CREATE INDEX "rollout_approval_rollout_id_wave_index_idx" ON "rollout_approval"("rollout_id", "wave_index");

-- CreateIndex
CREATE UNIQUE INDEX "rollout_lock_machine_id_key" ON "rollout_lock"("machine_id");

-- CreateIndex
CREATE UNIQUE INDEX "rollout_lock_cluster_id_key" ON "rollout_lock"("cluster_id");

-- AddForeignKey
ALTER TABLE "rollout_wave" ADD CONSTRAINT "rollout_wave_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_machine" ADD CONSTRAINT "rollout_machine_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_machine" ADD CONSTRAINT "rollout_machine_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_approval" ADD CONSTRAINT "rollout_approval_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_lock" ADD CONSTRAINT "rollout_lock_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_lock" ADD CONSTRAINT "rollout_lock_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
