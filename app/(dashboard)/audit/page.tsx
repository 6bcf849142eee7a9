// Audit trail.
import type { Metadata } from "next";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";
import { AuditTrail } from "./audit-trail";

export const metadata: Metadata = { title: "Audit" };

export default function AuditPage() {
  const { label, description } = section("/audit");
  return (
    <>
      <PageHeader title={label} description={description} />
      <AuditTrail />
    </>
  );
}
