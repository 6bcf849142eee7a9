-- CreateTable
CREATE TABLE "maintenance_window" (
    "id" UUID NOT NULL,
    "site" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "days" TEXT[],
    "start" TEXT NOT NULL,
    "duration_minutes" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "maintenance_window_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "maintenance_window_site_idx" ON "maintenance_window"("site");
