// Fleet overview.
import type { Metadata } from "next";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";
import { FleetOverview } from "./fleet-overview";
import { PendingApprovals } from "./pending-approvals";

export const metadata: Metadata = { title: "Fleet" };

export default function FleetPage() {
  const { label, description } = section("/fleet");
  return (
    <>
      <PageHeader title={label} description={description} />
      <PendingApprovals />
      <FleetOverview />
    </>
  );
}
