-- CreateTable
CREATE TABLE "machine_drift_state" (
    "machine_id" UUID NOT NULL,
    "extensions" JSONB,
    "schematic_id" TEXT,
    "kernel_args" JSONB,
    "config" JSONB,
    "config_unknown_reason" TEXT,
    "reading_hash" TEXT NOT NULL,
    "read_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "machine_drift_state_pkey" PRIMARY KEY ("machine_id")
);

-- CreateTable
CREATE TABLE "baseline" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "baseline_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "drift_item" (
    "machine_id" UUID NOT NULL,
    "field" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "declared" JSONB NOT NULL,
    "actual" JSONB,
    "state" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "baseline_id" UUID NOT NULL,
    "baseline_name" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "drift_item_pkey" PRIMARY KEY ("machine_id","field")
);

-- CreateTable
CREATE TABLE "drift_event" (
    "id" BIGSERIAL NOT NULL,
    "machine_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "field" TEXT NOT NULL,
    "change" TEXT NOT NULL,
    "declared" JSONB,
    "actual" JSONB,
    "state" TEXT NOT NULL,
    "baseline_name" TEXT NOT NULL,

    CONSTRAINT "drift_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "drift_acknowledgement" (
    "id" UUID NOT NULL,
    "machine_id" UUID NOT NULL,
    "field" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "drift_acknowledgement_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "baseline_name_key" ON "baseline"("name");

-- CreateIndex
CREATE INDEX "drift_item_kind_idx" ON "drift_item"("kind");

-- CreateIndex
CREATE INDEX "drift_item_baseline_id_idx" ON "drift_item"("baseline_id");

-- CreateIndex
CREATE INDEX "drift_event_machine_id_at_idx" ON "drift_event"("machine_id", "at");

-- CreateIndex
CREATE INDEX "drift_event_at_idx" ON "drift_event"("at");

-- CreateIndex
CREATE INDEX "drift_acknowledgement_expires_at_idx" ON "drift_acknowledgement"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "drift_acknowledgement_machine_id_field_key" ON "drift_acknowledgement"("machine_id", "field");

-- AddForeignKey
ALTER TABLE "machine_drift_state" ADD CONSTRAINT "machine_drift_state_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drift_item" ADD CONSTRAINT "drift_item_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drift_event" ADD CONSTRAINT "drift_event_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drift_acknowledgement" ADD CONSTRAINT "drift_acknowledgement_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;
