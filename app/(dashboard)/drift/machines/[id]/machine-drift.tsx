"use client";
// A machine's Drift tab: every expectation side by side (declared, actual, status, the baseline that declared
// it and the ones it overrode, since when), acknowledgements, the machine's configuration as read (secrets
// redacted before it was stored) and the drift history.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Untrusted } from "@/app/_components/untrusted-text";
import { ErrorNotice } from "../../../../_components/error-notice";
import { formatAgo } from "../../../../_components/format";
import { Table } from "../../../../_components/table";
import { useTRPC } from "../../../../_components/trpc";
import { Button, Card, FormError } from "../../../../_components/ui";
import { useMe } from "../../../../_components/use-me";
import { fieldLabel, valueText } from "../../drift-words";
import { AcknowledgeForm } from "./acknowledge-form";

const STATUS_STYLE: Record<string, string> = {
  holds: "bg-emerald-50 text-emerald-800 dark:bg-emerald-950/40 dark:text-emerald-300",
  drifted: "bg-amber-50 text-amber-800 dark:bg-amber-950/40 dark:text-amber-300",
  unknown: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
};

export function MachineDrift({ id }: { id: string }) {
  const trpc = useTRPC();
  const { may } = useMe();
  const q = useQuery(trpc.drift.machine.queryOptions({ id }, { refetchInterval: 10_000 }));
  const [acking, setAcking] = useState<string | null>(null);
  const client = useQueryClient();
  // Withdrawing an acknowledgement makes the drift count again (audited on the server).
  const unack = useMutation(
    trpc.drift.unacknowledge.mutationOptions({
      onSuccess: () => client.invalidateQueries({ queryKey: trpc.drift.pathKey() }),
    }),
  );
  if (q.error) return <ErrorNotice title="This machine's drift could not be loaded" error={q.error} />;
  if (!q.data)
    return <div aria-busy className="h-64 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />;
  const d = q.data;
  const configRows = d.expectations.filter((e) => e.kind === "config");
  return (
    <>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        Declared against actual, read {formatAgo(d.readAt)}.{" "}
        <Link className="text-indigo-700 hover:underline dark:text-indigo-300" href="/drift">
          Drift overview
        </Link>
      </p>
      <div className="space-y-6">
        <Card
          title="Declared against actual"
          description={
            d.expectations.length
              ? "Each expectation, the baseline that declared it, and what the machine runs."
              : "No baseline declares anything for this machine. Outliers among its peers show on the overview."
          }
        >
          <FormError error={unack.error} />
          {d.expectations.length > 0 ? (
            <Table
              columns={["Field", "Declared", "Actual", "Status", "Baseline", "Since", null]}
              headerCell="py-1.5 pr-3"
            >
              {d.expectations.map((e) => (
                <tr key={e.field} className="align-top">
                  <td className="py-1.5 pr-3 font-mono text-xs">{fieldLabel(e.field)}</td>
                  <td className="py-1.5 pr-3 font-mono text-xs">
                    {valueText(e.declared, {
                      declaredKernelArg: e.kind === "kernelArg",
                      schematic: e.kind === "schematic",
                    })}
                  </td>
                  <td className="py-1.5 pr-3 font-mono text-xs">
                    {e.status === "unknown"
                      ? (e.reason ?? "unknown")
                      : e.status === "holds"
                        ? "as declared"
                        : valueText(e.actual, { schematic: e.kind === "schematic" })}
                  </td>
                  <td className="py-1.5 pr-3">
                    <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[e.status] ?? ""}`}>
                      {e.status}
                    </span>
                    {e.acknowledgement ? (
                      <p className="mt-1 max-w-56 text-xs text-zinc-600 dark:text-zinc-400">
                        Acknowledged by {e.acknowledgement.createdBy} until{" "}
                        {new Date(e.acknowledgement.expiresAt).toISOString().slice(0, 10)}:{" "}
                        <Untrusted text={e.acknowledgement.reason} />
                      </p>
                    ) : null}
                  </td>
                  <td className="py-1.5 pr-3 text-xs">
                    {e.baseline.name} <span className="text-zinc-500">({e.baseline.level})</span>
                    {e.overridden.length > 0 ? (
                      <p className="text-zinc-500">overrides {e.overridden.map((b) => b.name).join(", ")}</p>
                    ) : null}
                  </td>
                  <td className="py-1.5 pr-3 text-xs text-zinc-500">{e.since ? formatAgo(e.since) : ""}</td>
                  <td className="py-1.5 pr-3">
                    {e.status === "drifted" && !e.acknowledgement && may("machines.operate") ? (
                      acking === e.field ? (
                        <AcknowledgeForm
                          machineId={d.machine.id}
                          field={e.field}
                          onDone={() => setAcking(null)}
                        />
                      ) : (
                        <Button
                          variant="secondary"
                          onClick={() => setAcking(e.field)}
                          aria-label={`Acknowledge ${fieldLabel(e.field)}`}
                        >
                          Acknowledge
                        </Button>
                      )
                    ) : null}
                    {e.acknowledgement && may("machines.operate") ? (
                      <Button
                        variant="secondary"
                        disabled={unack.isPending}
                        onClick={() => unack.mutate({ machineId: d.machine.id, field: e.field })}
                        aria-label={`Withdraw the acknowledgement of ${fieldLabel(e.field)}`}
                      >
                        Withdraw acknowledgement
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </Table>
          ) : null}
        </Card>

        <Card
          title="Configuration"
          description={
            d.configYaml
              ? "Declared configuration fields next to the machine's, and the whole configuration as read. Secrets were redacted before it was stored."
              : (d.configUnknownReason ?? "Not read yet.")
          }
        >
          {configRows.length > 0 ? (
            <section className="mb-4 grid gap-2 sm:grid-cols-2" aria-label="Configuration diff">
              <h3 className="text-xs font-medium uppercase text-zinc-500">Declared</h3>
              <h3 className="hidden text-xs font-medium uppercase text-zinc-500 sm:block">Actual</h3>
              {configRows.map((e) => (
                <div key={e.field} className="contents">
                  <pre className="overflow-x-auto rounded bg-zinc-50 p-2 text-xs dark:bg-zinc-950">
                    {`${fieldLabel(e.field)}: ${valueText(e.declared)}`}
                  </pre>
                  <pre
                    className={`overflow-x-auto rounded p-2 text-xs ${e.status === "drifted" ? "bg-amber-50 dark:bg-amber-950/40" : "bg-zinc-50 dark:bg-zinc-950"}`}
                  >
                    {e.status === "unknown"
                      ? (e.reason ?? "unknown")
                      : `${fieldLabel(e.field)}: ${e.status === "holds" ? valueText(e.declared) : valueText(e.actual)}`}
                  </pre>
                </div>
              ))}
            </section>
          ) : null}
          {d.configYaml ? (
            <details>
              <summary className="cursor-pointer text-sm text-indigo-700 dark:text-indigo-300">
                The configuration as read
              </summary>
              <section aria-label="Configuration as read">
                <pre className="mt-2 max-h-[32rem] overflow-auto rounded bg-zinc-50 p-3 text-xs dark:bg-zinc-950">
                  {d.configYaml}
                </pre>
              </section>
            </details>
          ) : null}
        </Card>

        <Card title="History" description="Drift items appearing, changing and clearing on this machine.">
          {d.history.length === 0 ? (
            <p className="text-sm text-zinc-500">Nothing yet.</p>
          ) : (
            <Table
              columns={["When", "Change", "Field", "Declared", "Actual", "Baseline"]}
              headerCell="py-1 pr-3"
            >
              {d.history.map((h) => (
                <tr key={`${h.at}-${h.field}-${h.change}`}>
                  <td className="py-1 pr-3 text-xs text-zinc-500">{formatAgo(h.at)}</td>
                  <td className="py-1 pr-3 text-xs">{h.change}</td>
                  <td className="py-1 pr-3 font-mono text-xs">{fieldLabel(h.field)}</td>
                  <td className="py-1 pr-3 font-mono text-xs">
                    {valueText(h.declared, {
                      declaredKernelArg: h.field.startsWith("kernelArg:"),
                      schematic: h.field === "schematic",
                    })}
                  </td>
                  <td className="py-1 pr-3 font-mono text-xs">
                    {valueText(h.actual, { schematic: h.field === "schematic" })}
                  </td>
                  <td className="py-1 pr-3 text-xs">{h.baselineName}</td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}
