"use client";
// What to weigh before deciding on a wave: how long it should take (from Minos's measured upgrades),
// when it can start (its sites' maintenance windows), and the risk (the targets' health now, their
// open drift, failures in earlier waves), and what draining its nodes would run into. Refreshed every 10 seconds.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { Untrusted } from "@/app/_components/untrusted-text";
import { siteMatches } from "@/server/model/window-schedule";
import { ErrorNotice } from "../../../_components/error-notice";
import { formatDuration } from "../../../_components/format";
import { HEALTH_ORDER, HealthBadge } from "../../../_components/health";
import { useTRPC } from "../../../_components/trpc";
import { Card } from "../../../_components/ui";
import { formatInZone, formatMinutes, viewerTimeZone } from "../../../_components/zoned-time";
import { DrainRisks } from "./drain-risks";

function Part({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="space-y-2 text-sm">
      <h3 className="text-xs font-medium uppercase tracking-wide text-zinc-500">{title}</h3>
      {children}
    </section>
  );
}

const muted = "text-zinc-600 dark:text-zinc-400";

export function WaveBriefing({ rolloutId, waveIndex }: { rolloutId: string; waveIndex: number }) {
  const trpc = useTRPC();
  const briefing = useQuery(
    trpc.rollouts.briefing.queryOptions({ id: rolloutId, waveIndex }, { refetchInterval: 10_000 }),
  );
  if (briefing.error)
    return <ErrorNotice title="The wave's briefing could not be loaded" error={briefing.error} />;
  const b = briefing.data;
  if (!b)
    return <div aria-busy className="h-48 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />;
  const e = b.estimate;
  const here = viewerTimeZone();
  const zoneOf = (site: string) => b.windows.find((w) => siteMatches(w.site, site))?.timeZone;
  const hidden = b.wave.machines - b.wave.visible;

  return (
    <Card
      title={`Before deciding on ${b.wave.name.toLowerCase()}`}
      description={`${b.wave.machines} machine${b.wave.machines === 1 ? "" : "s"}. Estimate, windows and risk as of now.${hidden > 0 ? ` ${hidden} of them are outside your scope and not named.` : ""}`}
    >
      <div className="grid gap-6 lg:grid-cols-3">
        <Part title="Estimated duration">
          <p className="text-lg font-semibold">
            about {formatDuration(e.upgradeMs)}
            {e.bakeMs > 0 ? (
              <span className={`text-sm font-normal ${muted}`}> then {formatDuration(e.bakeMs)} bake</span>
            ) : null}
          </p>
          {b.podCheck ? (
            <p className={muted}>
              After the bake, pods of its clusters newly Pending or in CrashLoopBackOff hold the rollout until
              someone resumes it.
            </p>
          ) : null}
          <p className={muted}>
            {e.machines} machine{e.machines === 1 ? "" : "s"} × {formatDuration(e.perMachineMs)} each ÷ about{" "}
            {Math.round(e.parallelism * 10) / 10} at once ({e.rounds} round{e.rounds === 1 ? "" : "s"}).
          </p>
          <p className={muted}>
            {e.rounds <= 1
              ? "All of them can upgrade at once within the safety limits."
              : `Limited by ${e.limitedBy.text}.`}
          </p>
          {e.measured > 0 ? (
            <p className={muted}>
              Per machine: the median of the last {e.measured} measured upgrade{e.measured === 1 ? "" : "s"}{" "}
              in Minos.
            </p>
          ) : (
            <p className="font-medium text-amber-800 dark:text-amber-300">
              No measured upgrades yet — estimate from defaults ({formatDuration(e.perMachineMs)} a machine).
            </p>
          )}
        </Part>

        <Part title="When it can start">
          <p className="font-medium">
            {b.startsAt === null
              ? "No window of its sites ever opens."
              : b.startsAt.getTime() <= Date.now() + 60_000
                ? "Can start now."
                : `Can start ${formatInZone(b.startsAt, here)} (your time).`}
          </p>
          {b.windows.length === 0 ? (
            <p className={muted}>No maintenance window applies to its sites: work may start at any time.</p>
          ) : (
            <ul className="space-y-1">
              {b.sites.map((s) => (
                <li key={s.site}>
                  <span className="font-mono text-xs">{s.site || "(no site)"}</span>{" "}
                  <span className={muted}>({s.machines})</span>:{" "}
                  {s.unrestricted
                    ? "no window, any time"
                    : s.open
                      ? "window open now"
                      : s.opensAt
                        ? `opens ${formatInZone(s.opensAt, zoneOf(s.site))} there, ${formatInZone(s.opensAt, here)} your time`
                        : "no opening within a week"}
                </li>
              ))}
            </ul>
          )}
          {b.windows.length > 0 ? (
            <details>
              <summary className="cursor-pointer text-xs font-medium">
                {b.windows.length === 1 ? "1 window applies" : `${b.windows.length} windows apply`}
              </summary>
              <ul className={`mt-1 space-y-1 text-xs ${muted}`}>
                {b.windows.map((w, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the list is rebuilt whole on every refresh
                  <li key={i}>
                    <span className="font-mono">{w.site}</span> {w.days.join(", ")} {w.start} for{" "}
                    {formatMinutes(w.durationMinutes)} ({w.timeZone})
                    {w.source === "rollout" ? ", set on this rollout" : ""} —{" "}
                    {w.open
                      ? "open now"
                      : w.opensAt
                        ? `next ${formatInZone(w.opensAt, w.timeZone)}`
                        : "closed"}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </Part>

        <Part title="Risk">
          <div className="flex flex-wrap gap-1.5">
            {HEALTH_ORDER.filter((h) => b.health.byHealth[h]).map((h) => (
              <span key={h} className="inline-flex items-center gap-1">
                <HealthBadge health={h} />
                <span className="tabular-nums">{b.health.byHealth[h]}</span>
              </span>
            ))}
          </div>
          {b.health.notHealthyCount > 0 ? (
            <ul className="space-y-0.5" aria-label="Targets not healthy">
              {b.health.notHealthy.map((m) => (
                <li key={m.machineId}>
                  <Link
                    href={`/machines/${m.machineId}`}
                    className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    {m.hostname}
                  </Link>{" "}
                  <span className={muted}>
                    {m.health}
                    {m.reason ? (
                      <>
                        : <Untrusted text={m.reason} />
                      </>
                    ) : (
                      ""
                    )}
                  </span>
                </li>
              ))}
              {b.health.notHealthyCount > b.health.notHealthy.length ? (
                <li className={muted}>and {b.health.notHealthyCount - b.health.notHealthy.length} more</li>
              ) : null}
            </ul>
          ) : (
            <p className={muted}>Every target is healthy now.</p>
          )}
          <p>
            {b.drift.machines === 0 ? (
              <span className={muted}>No target has open drift.</span>
            ) : (
              <>
                <span className="font-medium">
                  {b.drift.machines} target{b.drift.machines === 1 ? " has" : "s have"} open drift:
                </span>{" "}
                {b.drift.listed.map((m, i) => (
                  <span key={m.machineId}>
                    {i > 0 ? ", " : ""}
                    <Link
                      href={`/machines/${m.machineId}/drift`}
                      className="text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {m.hostname}
                    </Link>
                  </span>
                ))}
                {b.drift.machines > b.drift.listed.length
                  ? ` and ${b.drift.machines - b.drift.listed.length} more`
                  : ""}
              </>
            )}
          </p>
          {b.wave.index === 0 ? (
            <p className={muted}>This is the first wave.</p>
          ) : b.earlierFailures.length === 0 ? (
            <p className={muted}>No machine failed in earlier waves.</p>
          ) : (
            <div>
              <p className="font-medium text-red-700 dark:text-red-400">
                {b.earlierFailures.length} machine{b.earlierFailures.length === 1 ? "" : "s"} failed in
                earlier waves:
              </p>
              <ul className="space-y-0.5" aria-label="Failures in earlier waves">
                {b.earlierFailures.map((f) => (
                  <li key={f.machineId}>
                    <Link
                      href={`/machines/${f.machineId}`}
                      className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {f.hostname}
                    </Link>{" "}
                    <span className={muted}>
                      ({f.wave}
                      {f.attempt > 1 ? `, attempt ${f.attempt}` : ""}): {f.error}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </Part>
      </div>
      <div className="mt-6 border-t border-zinc-200 pt-4 dark:border-zinc-800">
        <DrainRisks rolloutId={rolloutId} waveIndex={waveIndex} />
      </div>
    </Card>
  );
}
