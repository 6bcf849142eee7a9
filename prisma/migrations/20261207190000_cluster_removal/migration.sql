-- Administrators remove clusters (server/inventory/remove-clusters.ts): the row stays for history, as a
-- machine's does when it leaves its cluster; collection, discovery, lists and counts leave it out.
-- AlterTable
ALTER TABLE "cluster" ADD COLUMN     "removed_at" TIMESTAMPTZ(3);
