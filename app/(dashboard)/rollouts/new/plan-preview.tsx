// The plan the server computed from the current fleet: machines per wave, clusters and sites touched,
// and every machine left out with its reason.
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import type { AppRouter } from "@/server/api/app-router";
import { Table } from "../../../_components/table";
import { Card } from "../../../_components/ui";

type Plan = inferRouterOutputs<AppRouter>["rollouts"]["preview"];

const list = (xs: string[], n = 4) =>
  xs.length > n ? `${xs.slice(0, n).join(", ")} and ${xs.length - n} more` : xs.join(", ");

export function PlanPreview({ plan }: { plan: Plan }) {
  return (
    <Card
      title="Plan preview"
      description={`${plan.planned} of ${plan.inScope} machines in scope go to ${plan.targetVersion} in ${plan.waves.length} wave${plan.waves.length === 1 ? "" : "s"}; ${plan.excluded.length} ${plan.excluded.length === 1 ? "is" : "are"} left out.`}
    >
      <div className="space-y-4">
        {plan.warnings.length ? (
          <ul className="list-disc space-y-1 pl-5 text-sm text-amber-800 dark:text-amber-300">
            {plan.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
        {plan.excludedByKind.locked > 0 ? <LockedMachines plan={plan} /> : null}
        <Table columns={["Wave", "Machines", "Control planes", "Workers", "Clusters", "Sites"]}>
          {plan.waves.map((w) => (
            <tr key={w.index}>
              <td className="px-3 py-2 font-medium">{w.name}</td>
              <td className="px-3 py-2 tabular-nums">
                <details>
                  <summary className="cursor-pointer">{w.machineIds.length}</summary>
                  <ul aria-label={`Machines of ${w.name}`} className="mt-1 text-xs font-normal">
                    {w.hostnames.map((h) => (
                      <li key={h}>{h}</li>
                    ))}
                    {w.machineIds.length > w.hostnames.length ? (
                      <li className="text-zinc-500">and {w.machineIds.length - w.hostnames.length} more</li>
                    ) : null}
                  </ul>
                </details>
              </td>
              <td className="px-3 py-2 tabular-nums">{w.controlPlanes}</td>
              <td className="px-3 py-2 tabular-nums">{w.workers}</td>
              <td className="px-3 py-2">{list(w.clusters)}</td>
              <td className="px-3 py-2">{list(w.sites)}</td>
            </tr>
          ))}
        </Table>
        {plan.excluded.length ? (
          <details>
            <summary className="cursor-pointer text-sm font-medium">
              Left out: {plan.excluded.length} machine{plan.excluded.length === 1 ? "" : "s"} (
              {Object.entries(plan.excludedByKind)
                .filter(([, n]) => n > 0)
                .map(([k, n]) => `${n} ${k}`)
                .join(", ")}
              )
            </summary>
            <Table columns={["Machine", "Cluster", "Site", "Why"]}>
              {plan.excluded.slice(0, 500).map((e) => (
                <tr key={e.machineId}>
                  <td className="px-3 py-2">{e.hostname}</td>
                  <td className="px-3 py-2">{e.cluster}</td>
                  <td className="px-3 py-2">{e.site}</td>
                  <td className="px-3 py-2">{e.reason}</td>
                </tr>
              ))}
            </Table>
          </details>
        ) : null}
      </div>
    </Card>
  );
}

/** Locks are people's decisions: the machines they keep out are listed, not folded away. */
function LockedMachines({ plan }: { plan: Plan }) {
  const locked = plan.excluded.filter((e) => e.kind === "locked");
  return (
    <section
      aria-label="Locked machines"
      className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-500/10 dark:text-amber-200"
    >
      <h3 className="font-medium">
        {locked.length} locked machine{locked.length === 1 ? "" : "s"} left out
      </h3>
      <ul className="mt-1 space-y-0.5">
        {locked.slice(0, 20).map((e) => (
          <li key={e.machineId}>
            <Link href={`/machines/${e.machineId}`} className="font-medium underline">
              {e.hostname}
            </Link>{" "}
            ({e.cluster}) — {e.reason}
          </li>
        ))}
        {locked.length > 20 ? <li>and {locked.length - 20} more (below, under "Left out")</li> : null}
      </ul>
    </section>
  );
}
