// Machines section: every machine of the fleet.
import { Server } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "../../_components/empty-state";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";

export const metadata: Metadata = { title: "Machines" };

export default function Page() {
  const { label, description } = section("/machines");
  return (
    <>
      <PageHeader title={label} description={description} />
      <EmptyState icon={Server} title="No machines yet">
        <p>
          Machines are discovered through each cluster's membership. Here you will filter thousands of them by
          health, site, role, version and label selector, and select many at once.
        </p>
      </EmptyState>
    </>
  );
}
