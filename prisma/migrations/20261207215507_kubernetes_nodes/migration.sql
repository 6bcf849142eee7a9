-- Each machine's Kubernetes Node (Ready, cordon, kubelet version) and each cluster's Kubernetes API reachability, kept by the collector's node watch.
-- AlterTable
ALTER TABLE "cluster" ADD COLUMN     "kube_api_error" TEXT,
ADD COLUMN     "kube_api_seen_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "machine" ADD COLUMN     "kube_cordon" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "kube_node" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "kube_ready" BOOLEAN,
ADD COLUMN     "kube_reason" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "kubelet_version" TEXT NOT NULL DEFAULT '';
