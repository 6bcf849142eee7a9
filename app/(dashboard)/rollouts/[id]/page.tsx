// One rollout: its waves as a timeline with each machine's progress, approvals, and controls.
import type { Metadata } from "next";
import { RolloutDetail } from "./rollout-detail";

export const metadata: Metadata = { title: "Rollout" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RolloutDetail id={id} />;
}
