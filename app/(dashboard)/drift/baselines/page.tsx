// Baselines: what machines should run, by fleet, site, cluster or label selector.
import type { Metadata } from "next";
import { section } from "../../../_components/nav-items";
import { PageHeader } from "../../../_components/page-header";
import { DriftTabs } from "../drift-tabs";
import { BaselinesView } from "./baselines-view";

export const metadata: Metadata = { title: "Baselines" };

export default function Page() {
  const { label, description } = section("/drift");
  return (
    <>
      <PageHeader title={label} description={description} />
      <DriftTabs current="baselines" />
      <BaselinesView />
    </>
  );
}
