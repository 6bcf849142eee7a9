// Rollouts section: upgrade campaigns in waves.
import { Rocket } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "../../_components/empty-state";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";

export const metadata: Metadata = { title: "Rollouts" };

export default function Page() {
  const { label, description } = section("/rollouts");
  return (
    <>
      <PageHeader title={label} description={description} />
      <EmptyState icon={Rocket} title="No rollouts yet">
        <p>
          An upgrade rollout moves machines to a new Talos version in waves — a canary first — and each wave
          waits for an approver's decision.
        </p>
      </EmptyState>
    </>
  );
}
