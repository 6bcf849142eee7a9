// Drift section: what machines run against what was declared, and the few that differ from their peers.
import type { Metadata } from "next";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";
import { DriftOverview } from "./drift-overview";
import { DriftTabs } from "./drift-tabs";

export const metadata: Metadata = { title: "Drift" };

export default function Page() {
  const { label, description } = section("/drift");
  return (
    <>
      <PageHeader title={label} description={description} />
      <DriftTabs current="overview" />
      <DriftOverview />
    </>
  );
}
