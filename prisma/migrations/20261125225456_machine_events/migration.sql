-- CreateTable
CREATE TABLE "machine_event" (
    "id" BIGSERIAL NOT NULL,
    "machine_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL DEFAULT '',
    "at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "machine_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "machine_event_machine_id_id_idx" ON "machine_event"("machine_id", "id");

-- CreateIndex
CREATE INDEX "machine_event_cluster_id_id_idx" ON "machine_event"("cluster_id", "id");

-- CreateIndex
CREATE INDEX "machine_event_at_idx" ON "machine_event"("at");

-- CreateIndex
CREATE INDEX "machine_event_kind_at_idx" ON "machine_event"("kind", "at");

-- CreateIndex
CREATE INDEX "machine_event_actor_id_idx" ON "machine_event"("actor_id");

-- CreateIndex
CREATE INDEX "machine_event_received_at_idx" ON "machine_event"("received_at");

-- CreateIndex
CREATE UNIQUE INDEX "machine_event_machine_id_event_id_key" ON "machine_event"("machine_id", "event_id");

-- AddForeignKey
ALTER TABLE "machine_event" ADD CONSTRAINT "machine_event_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_event" ADD CONSTRAINT "machine_event_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
