// Tables look the same everywhere: a header row of column names, rows divided by hairlines.
// `framed` gives a list its own bordered box (it scrolls sideways on narrow screens); inside a card a
// table sits bare.
import { Fragment, type ReactNode } from "react";

/** A column is its name, null for an unnamed one (row actions), or a whole header cell (sortable). */
export type Column = string | null | ReactNode;

export function Table({
  columns,
  children,
  framed = false,
  className = "",
  headerCell = "px-3 py-2",
}: {
  columns: Column[];
  children: ReactNode;
  framed?: boolean;
  className?: string;
  /** Padding of the named header cells: the same as the table's body cells, so columns line up. */
  headerCell?: string;
}) {
  const table = (
    <table className={`w-full text-left text-sm ${className}`}>
      <thead
        className={`text-xs uppercase text-zinc-500 ${framed ? "border-b border-zinc-200 dark:border-zinc-800" : ""}`}
      >
        <tr>
          {columns.map((c, i) =>
            c === null ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: a table's header cells never move
              <th key={i} />
            ) : typeof c === "string" ? (
              <th key={c} className={`${headerCell} font-medium`}>
                {c}
              </th>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: a table's header cells never move
              <Fragment key={i}>{c}</Fragment>
            ),
          )}
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">{children}</tbody>
    </table>
  );
  if (!framed) return <div className="overflow-x-auto">{table}</div>;
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      {table}
    </div>
  );
}
