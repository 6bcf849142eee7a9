-- Kubernetes access per cluster: the admin kubeconfig obtained through Talos, sealed (server/features/kubernetes/).
-- CreateTable
CREATE TABLE "kube_credential" (
    "id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "server" TEXT NOT NULL,
    "cert_not_after" TIMESTAMPTZ(3) NOT NULL,
    "kubeconfig_sealed" BYTEA NOT NULL,
    "fetched_from" TEXT NOT NULL,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "kube_credential_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "kube_credential_cluster_id_key" ON "kube_credential"("cluster_id");

-- AddForeignKey
ALTER TABLE "kube_credential" ADD CONSTRAINT "kube_credential_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
