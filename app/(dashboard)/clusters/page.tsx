// Clusters section: the clusters of the inventory.
import type { Metadata } from "next";
import { Suspense } from "react";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";
import { ClustersList } from "./clusters-list";

export const metadata: Metadata = { title: "Clusters" };

export default function Page() {
  const { label, description } = section("/clusters");
  return (
    <>
      <PageHeader title={label} description={description} />
      <Suspense>
        <ClustersList />
      </Suspense>
    </>
  );
}
