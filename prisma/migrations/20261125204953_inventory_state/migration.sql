-- CreateEnum
CREATE TYPE "Health" AS ENUM ('healthy', 'degraded', 'unhealthy', 'unreachable', 'upgrading', 'unknown');

-- AlterTable
ALTER TABLE "cluster" ADD COLUMN     "discovered_at" TIMESTAMPTZ(3),
ADD COLUMN     "discovery_error" TEXT,
ADD COLUMN     "health" "Health" NOT NULL DEFAULT 'unknown',
ADD COLUMN     "health_reason" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "health_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "machine" ADD COLUMN     "boot_id" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "health" "Health" NOT NULL DEFAULT 'unknown',
ADD COLUMN     "health_reason" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "health_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "kubernetes_version" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "last_error" TEXT,
ADD COLUMN     "last_seen_at" TIMESTAMPTZ(3),
ADD COLUMN     "reachable" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "ready" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "removed_at" TIMESTAMPTZ(3),
ADD COLUMN     "services" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "stage" TEXT NOT NULL DEFAULT 'unknown',
ADD COLUMN     "talos_version" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "unmet_conditions" JSONB NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "machine_state_change" (
    "id" BIGSERIAL NOT NULL,
    "machine_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "field" TEXT NOT NULL,
    "from_value" TEXT NOT NULL,
    "to_value" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "machine_state_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "collector_instance" (
    "id" UUID NOT NULL,
    "hostname" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "collector_instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cluster_lease" (
    "cluster_id" UUID NOT NULL,
    "instance_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cluster_lease_pkey" PRIMARY KEY ("cluster_id")
);

-- CreateIndex
CREATE INDEX "machine_state_change_machine_id_at_idx" ON "machine_state_change"("machine_id", "at");

-- CreateIndex
CREATE INDEX "machine_state_change_field_at_idx" ON "machine_state_change"("field", "at");

-- CreateIndex
CREATE INDEX "cluster_lease_instance_id_idx" ON "cluster_lease"("instance_id");

-- CreateIndex
CREATE INDEX "cluster_lease_expires_at_idx" ON "cluster_lease"("expires_at");

-- CreateIndex
CREATE INDEX "cluster_health_idx" ON "cluster"("health");

-- CreateIndex
CREATE INDEX "machine_health_idx" ON "machine"("health");

-- CreateIndex
CREATE INDEX "machine_talos_version_idx" ON "machine"("talos_version");

-- CreateIndex
CREATE INDEX "machine_cluster_id_health_idx" ON "machine"("cluster_id", "health");

-- AddForeignKey
ALTER TABLE "machine_state_change" ADD CONSTRAINT "machine_state_change_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cluster_lease" ADD CONSTRAINT "cluster_lease_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cluster_lease" ADD CONSTRAINT "cluster_lease_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "collector_instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;
