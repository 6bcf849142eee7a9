// Events: every stored machine event of the fleet, searchable.
import type { Metadata } from "next";
import { Suspense } from "react";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";
import { EventsSearch } from "./events-search";

export const metadata: Metadata = { title: "Events" };

export default function Page() {
  const { label, description } = section("/events");
  return (
    <>
      <PageHeader title={label} description={description} />
      <Suspense
        fallback={
          <div aria-busy className="h-96 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />
        }
      >
        <EventsSearch />
      </Suspense>
    </>
  );
}
