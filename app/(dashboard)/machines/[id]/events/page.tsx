// A machine's events: a live timeline, from before the page opened (across reboots) to now.
import type { Metadata } from "next";
import { MachineEvents } from "./machine-events";

export const metadata: Metadata = { title: "Machine events" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <MachineEvents id={id} />;
}
