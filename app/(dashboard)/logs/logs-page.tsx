"use client";
// The merged log view: the machines come from the URL (the machines list's "View logs" links here);
// without any, a picker.
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { LiveLogs } from "../../_components/log-viewer/live-logs";
import { logQueryString, parseLogQuery } from "../../_components/log-viewer/log-query";
import { NoStreamPermission } from "../../_components/log-viewer/no-stream-permission";
import { useLogSources } from "../../_components/log-viewer/use-log-sources";
import { Button } from "../../_components/ui";
import { useMe } from "../../_components/use-me";
import { MachinePicker } from "./machine-picker";

export function LogsPage() {
  const { may, loading } = useMe();
  const params = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const query = parseLogQuery(new URLSearchParams(params.toString()));
  const [picking, setPicking] = useState(false);
  const sources = useLogSources(may("machines.stream") ? query.machines : []);

  if (loading) return null;
  if (!may("machines.stream")) return <NoStreamPermission />;

  const show = (ids: string[]) => {
    setPicking(false);
    // Another set of machines may not have the source shown: let the view choose again.
    const same = ids.length === query.machines.length && ids.every((id) => query.machines.includes(id));
    router.push(
      `${pathname}?${logQueryString({ ...query, machines: ids, source: same ? query.source : undefined })}`,
    );
  };
  const names = new Map((sources.machines ?? []).map((m) => [m.id, m.hostname]));

  return (
    <div className="space-y-3">
      {query.invalidMachines.length > 0 ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          The link names {query.invalidMachines.length === 1 ? "something" : "things"} that{" "}
          {query.invalidMachines.length === 1 ? "is not a machine id" : "are not machine ids"} (
          {query.invalidMachines.slice(0, 3).join(", ")});{" "}
          {query.invalidMachines.length === 1 ? "it is" : "they are"} left out.
        </p>
      ) : null}
      {query.machines.length === 0 ? (
        <MachinePicker initial={[]} onDone={show} />
      ) : picking ? (
        <MachinePicker
          initial={query.machines}
          names={names}
          onDone={show}
          onCancel={() => setPicking(false)}
        />
      ) : (
        <LiveLogs
          key={query.machines.join(",")}
          machineIds={query.machines}
          withMachinesInUrl
          actions={
            <Button variant="secondary" className="h-8" onClick={() => setPicking(true)}>
              Machines ({query.machines.length})
            </Button>
          }
        />
      )}
    </div>
  );
}
