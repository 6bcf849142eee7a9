// Machines section: every machine of the fleet, filtered through the URL.
import type { Metadata } from "next";
import { Suspense } from "react";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";
import { MachinesList } from "./machines-list";

export const metadata: Metadata = { title: "Machines" };

export default function Page() {
  const { label, description } = section("/machines");
  return (
    <>
      <PageHeader title={label} description={description} />
      <Suspense
        fallback={
          <div aria-busy className="h-96 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />
        }
      >
        <MachinesList />
      </Suspense>
    </>
  );
}
