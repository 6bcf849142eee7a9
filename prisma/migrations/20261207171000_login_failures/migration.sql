-- Failed sign-ins are counted per user name and address (server/auth/login-failures.ts), before the
-- password is checked, in one statement: parallel guesses count one each, an unknown name locks like a
-- real one, and a lock from one address does not keep the user out from another. The per-user
-- counters they replace go; a lock held at the moment of this migration is lifted.
-- AlterTable
ALTER TABLE "app_user" DROP COLUMN "failed_logins",
DROP COLUMN "locked_until";

-- CreateTable
CREATE TABLE "login_failure" (
    "username" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "login_failure_pkey" PRIMARY KEY ("username","address")
);

-- CreateIndex
CREATE INDEX "login_failure_updated_at_idx" ON "login_failure"("updated_at");
