// A machine's drift: declared against actual per field, with the baseline of each expectation.
import type { Metadata } from "next";
import { MachineDriftTab } from "./machine-drift-tab";

export const metadata: Metadata = { title: "Machine drift" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <MachineDriftTab id={id} />;
}
