// Audit section: the record of everything done.
import { ScrollText } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "../../_components/empty-state";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";

export const metadata: Metadata = { title: "Audit" };

export default function Page() {
  const { label, description } = section("/audit");
  return (
    <>
      <PageHeader title={label} description={description} />
      <EmptyState icon={ScrollText} title="Nothing recorded yet">
        <p>
          Every change and every action proxied to a Talos machine — sign-ins, log streams, restarts,
          upgrades, approvals — is recorded here, append-only and tamper-evident.
        </p>
      </EmptyState>
    </>
  );
}
