// Links into the machines list with a filter: the one URL format the list reads (see
// app/(dashboard)/machines/machine-query.ts).
export function machinesHref(filter: Record<string, string | string[] | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) {
    if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    p.set(k, Array.isArray(v) ? v.join(",") : v);
  }
  const s = p.toString();
  return s ? `/machines?${s}` : "/machines";
}

export function clusterHref(name: string): string {
  return `/clusters/${encodeURIComponent(name)}`;
}
