// Drift section: declared baselines against what machines run.
import { GitCompareArrows } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "../../_components/empty-state";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";

export const metadata: Metadata = { title: "Drift" };

export default function Page() {
  const { label, description } = section("/drift");
  return (
    <>
      <PageHeader title={label} description={description} />
      <EmptyState icon={GitCompareArrows} title="No drift to show yet">
        <p>
          Once machines are known, Minos groups them by what they actually run and points out the few that
          differ, with or without a declared baseline.
        </p>
      </EmptyState>
    </>
  );
}
