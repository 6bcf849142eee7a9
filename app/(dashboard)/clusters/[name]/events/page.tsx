// A cluster's events: a live timeline of all its machines.
import type { Metadata } from "next";
import { ClusterEvents } from "./cluster-events";

export const metadata: Metadata = { title: "Cluster events" };

export default async function Page({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A malformed escape: look the name up as it is (it will not be found).
  }
  return <ClusterEvents name={decoded} />;
}
