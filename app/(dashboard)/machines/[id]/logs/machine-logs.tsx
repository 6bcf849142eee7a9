"use client";
// The Logs tab of a machine's page.
import { Merge } from "lucide-react";
import Link from "next/link";
import { Suspense } from "react";
import { LiveLogs } from "../../../../_components/log-viewer/live-logs";
import { NoStreamPermission } from "../../../../_components/log-viewer/no-stream-permission";
import { useMe } from "../../../../_components/use-me";
import { MachineFrame } from "../machine-frame";

export function MachineLogs({ id }: { id: string }) {
  const { may, loading } = useMe();
  return (
    <MachineFrame id={id} tab="logs">
      {(m) =>
        loading ? null : !may("machines.stream") ? (
          <NoStreamPermission />
        ) : (
          <Suspense>
            <LiveLogs
              machineIds={[m.id]}
              withMachinesInUrl={false}
              actions={
                <Link
                  href={`/logs?machines=${m.id}`}
                  title="Open this machine's logs in the merged view, to add other machines"
                  className="inline-flex h-8 items-center gap-1 rounded-md px-2 text-sm text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-500/10"
                >
                  <Merge aria-hidden className="size-4" />
                  Merge with others
                </Link>
              }
            />
          </Suspense>
        )
      }
    </MachineFrame>
  );
}
