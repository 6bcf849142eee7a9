// Logs of several machines merged in one live view; the machines, source, tail and filter are in
// the URL, so a link shows the same view.
import type { Metadata } from "next";
import { Suspense } from "react";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";
import { LogsPage } from "./logs-page";

export const metadata: Metadata = { title: "Logs" };

export default function Page() {
  const { label, description } = section("/logs");
  return (
    <>
      <PageHeader title={label} description={description} />
      <Suspense
        fallback={
          <div aria-busy className="h-96 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />
        }
      >
        <LogsPage />
      </Suspense>
    </>
  );
}
