// Adding a fleet from a talosconfig.
import type { Metadata } from "next";
import { PageHeader } from "../../_components/page-header";
import { ImportForm } from "./import-form";

export const metadata: Metadata = { title: "Import a fleet" };

export default function ImportPage() {
  return (
    <>
      <PageHeader
        title="Import a fleet"
        description="Each context of a talosconfig becomes a cluster; Minos discovers its machines through the Talos API."
      />
      <ImportForm />
    </>
  );
}
