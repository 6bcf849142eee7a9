"use client";
// The overview's charts (recharts): health over time, health by site, versions in use. Every bar
// leads to the machines it counts.
import { useRouter } from "next/navigation";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { Health } from "@/server/model/health-words";
import { HEALTH_COLOR, HEALTH_ORDER } from "../../_components/health";
import { machinesHref } from "../../_components/machine-links";

const axis = { fontSize: 12, fill: "currentColor" };
const tooltipStyle = { fontSize: 12, borderRadius: 6 };

export function HistoryChart({
  points,
  range,
}: {
  points: Array<{ at: Date; counts: Record<Health, number> }>;
  range: "24h" | "7d";
}) {
  // Before Minos knew any of these machines there is no data: drawn as a gap, not as zero machines
  // (which would read as a day-long outage).
  const firstKnown = points.findIndex((p) => Object.values(p.counts).some((n) => n > 0));
  const data = points.map((p, i) => ({
    at: new Date(p.at).toLocaleString(
      "en-GB",
      range === "24h" ? { timeStyle: "short" } : { weekday: "short", hour: "2-digit" },
    ),
    ...(firstKnown === -1 || i < firstKnown
      ? Object.fromEntries(HEALTH_ORDER.map((h) => [h, null]))
      : p.counts),
  }));
  const since = firstKnown > 0 ? points[firstKnown]?.at : undefined;
  return (
    <>
      {since ? (
        <p data-testid="history-no-data" className="mb-2 text-xs">
          No data before{" "}
          {new Date(since).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })}: Minos did
          not know these machines yet.
        </p>
      ) : null}
      <ResponsiveContainer width="100%" height={220}>
        <AreaChart data={data} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis dataKey="at" tick={axis} minTickGap={24} />
          <YAxis tick={axis} allowDecimals={false} width={40} />
          <Tooltip contentStyle={tooltipStyle} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {[...HEALTH_ORDER].reverse().map((h) => (
            <Area
              key={h}
              type="stepAfter"
              dataKey={h}
              stackId="1"
              stroke={HEALTH_COLOR[h]}
              fill={HEALTH_COLOR[h]}
              fillOpacity={0.6}
              isAnimationActive={false}
            />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </>
  );
}

export function SiteChart({ sites }: { sites: Array<{ site: string; counts: Record<Health, number> }> }) {
  const router = useRouter();
  const data = sites.map((s) => ({ site: s.site || "(no site)", path: s.site, ...s.counts }));
  return (
    <ResponsiveContainer width="100%" height={Math.max(120, data.length * 28 + 40)}>
      <BarChart data={data} layout="vertical" margin={{ top: 0, right: 8, left: 8, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} horizontal={false} />
        <XAxis type="number" tick={axis} allowDecimals={false} />
        <YAxis type="category" dataKey="site" tick={axis} width={90} />
        <Tooltip contentStyle={tooltipStyle} cursor={{ fillOpacity: 0.1 }} />
        {[...HEALTH_ORDER].reverse().map((h) => (
          <Bar
            key={h}
            dataKey={h}
            stackId="1"
            fill={HEALTH_COLOR[h]}
            cursor="pointer"
            isAnimationActive={false}
            onClick={(d: { payload?: { path?: string } }) =>
              router.push(machinesHref({ site: d.payload?.path, health: h === "healthy" ? undefined : h }))
            }
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

export function VersionChart({
  versions,
  filterKey,
}: {
  versions: Array<{ version: string; machines: number }>;
  filterKey: "version" | "kubernetes";
}) {
  const router = useRouter();
  const data = versions.map((v) => ({
    version: v.version || "(not known)",
    value: v.version,
    machines: v.machines,
  }));
  return (
    <ResponsiveContainer width="100%" height={Math.max(100, data.length * 28 + 30)}>
      <BarChart data={data} layout="vertical" margin={{ top: 0, right: 8, left: 8, bottom: 0 }}>
        <XAxis type="number" tick={axis} allowDecimals={false} />
        <YAxis type="category" dataKey="version" tick={axis} width={90} />
        <Tooltip contentStyle={tooltipStyle} cursor={{ fillOpacity: 0.1 }} />
        <Bar
          dataKey="machines"
          fill="#6366f1"
          cursor="pointer"
          isAnimationActive={false}
          onClick={(d: { payload?: { value?: string } }) => {
            if (d.payload?.value) router.push(machinesHref({ [filterKey]: d.payload.value }));
          }}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}
