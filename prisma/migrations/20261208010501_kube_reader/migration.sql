-- A least-privilege kubeconfig per cluster, imported by an administrator, for Minos's reads of the Kubernetes API.
-- CreateTable
CREATE TABLE "kube_reader" (
    "id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "server" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "cert_not_after" TIMESTAMPTZ(3),
    "kubeconfig_sealed" BYTEA NOT NULL,
    "imported_by" TEXT NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "kube_reader_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "kube_reader_cluster_id_key" ON "kube_reader"("cluster_id");

-- AddForeignKey
ALTER TABLE "kube_reader" ADD CONSTRAINT "kube_reader_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
