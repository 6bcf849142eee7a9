// A new rollout: target, machines, waves and safety settings, with the plan previewed before saving.
import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "../../../_components/page-header";
import { NewRolloutForm } from "./new-rollout-form";

export const metadata: Metadata = { title: "New rollout" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="New rollout"
        description="Choose the target and the machines, split them into waves, and preview the plan before saving. Each wave then waits for an approver."
      />
      <Suspense fallback={<div aria-busy className="h-96 animate-pulse rounded-lg bg-zinc-200/60" />}>
        <NewRolloutForm />
      </Suspense>
    </>
  );
}
