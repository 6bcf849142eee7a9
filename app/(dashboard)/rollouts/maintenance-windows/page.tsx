// Maintenance windows: when rollouts may work on each site, in the site's own time zone.
import type { Metadata } from "next";
import { section } from "../../../_components/nav-items";
import { PageHeader } from "../../../_components/page-header";
import { RolloutsTabs } from "../rollouts-tabs";
import { MaintenanceWindows } from "./maintenance-windows";

export const metadata: Metadata = { title: "Maintenance windows" };

export default function Page() {
  const { label } = section("/rollouts");
  return (
    <>
      <PageHeader
        title={label}
        description="Rollouts start work on a site only while one of its maintenance windows is open; sites without a window are not restricted."
      />
      <RolloutsTabs current="windows" />
      <MaintenanceWindows />
    </>
  );
}
