// A machine's logs: a live view of one log source, its tail and what follows.
import type { Metadata } from "next";
import { MachineLogs } from "./machine-logs";

export const metadata: Metadata = { title: "Machine logs" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <MachineLogs id={id} />;
}
