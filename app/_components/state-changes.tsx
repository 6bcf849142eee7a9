// State changes of machines, newest first: when, what, from → to, why.
import Link from "next/link";
import { formatTime } from "./format";
import { Untrusted } from "./untrusted-text";

export function StateChanges({
  rows,
}: {
  rows: Array<{
    id: string;
    at: Date;
    field: string;
    fromValue: string;
    toValue: string;
    reason: string;
    machine?: { id: string; hostname: string };
  }>;
}) {
  if (rows.length === 0) return <p className="text-sm text-zinc-500">No changes recorded yet.</p>;
  return (
    <div className="max-h-96 overflow-y-auto">
      <table className="w-full text-left text-sm">
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {rows.map((c) => (
            <tr key={c.id}>
              <td className="whitespace-nowrap py-1 pr-3 tabular-nums text-zinc-600 dark:text-zinc-400">
                {formatTime(c.at)}
              </td>
              {c.machine ? (
                <td className="whitespace-nowrap py-1 pr-3">
                  <Link
                    className="text-indigo-700 hover:underline dark:text-indigo-300"
                    href={`/machines/${c.machine.id}`}
                  >
                    {c.machine.hostname}
                  </Link>
                </td>
              ) : null}
              <td className="whitespace-nowrap py-1 pr-3 font-mono text-xs">{c.field}</td>
              <td className="py-1 pr-3">
                {c.fromValue || "—"} → <span className="font-medium">{c.toValue || "—"}</span>
              </td>
              <td className="py-1 text-zinc-600 dark:text-zinc-400">
                <Untrusted text={c.reason} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
