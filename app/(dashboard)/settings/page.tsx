// Settings section: instance settings.
import { Settings } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "../../_components/empty-state";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";

export const metadata: Metadata = { title: "Settings" };

export default function Page() {
  const { label, description } = section("/settings");
  return (
    <>
      <PageHeader title={label} description={description} />
      <EmptyState icon={Settings} title="Nothing to configure yet">
        <p>
          Talos credentials, users, roles and API tokens are managed here. Secrets are stored encrypted and
          never sent to a browser.
        </p>
      </EmptyState>
    </>
  );
}
