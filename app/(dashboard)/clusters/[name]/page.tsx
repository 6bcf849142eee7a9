// One cluster: health, control plane and etcd, versions, endpoints, labels, machines, changes.
import type { Metadata } from "next";
import { ClusterDetail } from "./cluster-detail";

export const metadata: Metadata = { title: "Cluster" };

export default async function Page({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A malformed escape: look the name up as it is (it will not be found).
  }
  return <ClusterDetail name={decoded} />;
}
