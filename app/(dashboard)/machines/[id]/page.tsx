// One machine: identity, versions, state, services, labels and site, history.
import type { Metadata } from "next";
import { MachineDetail } from "./machine-detail";

export const metadata: Metadata = { title: "Machine" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <MachineDetail id={id} />;
}
