// Clusters section: the clusters of the inventory.
import { Boxes } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "../../_components/empty-state";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";

export const metadata: Metadata = { title: "Clusters" };

export default function Page() {
  const { label, description } = section("/clusters");
  return (
    <>
      <PageHeader title={label} description={description} />
      <EmptyState icon={Boxes} title="No clusters yet">
        <p>
          Each talosconfig context you add becomes a cluster here, with its endpoints, control plane and etcd
          health, versions, site and labels.
        </p>
      </EmptyState>
    </>
  );
}
