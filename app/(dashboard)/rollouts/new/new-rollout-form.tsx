"use client";
// The new-rollout form. Machines come from a selector (empty: the whole fleet), a list of clusters,
// or a hand-over from the machines list (`?machines=<ids>` or `?selector=`; a follow-up also brings the
// installer: `?installer=`). Nothing is saved before
// the plan was previewed; changing any field asks for a new preview.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { DEFAULT_SAFETY, type SafetySettings } from "@/server/model/rollout-safety";
import { ErrorNotice } from "../../../_components/error-notice";
import { useTRPC } from "../../../_components/trpc";
import { Button, Card, Field, FormError, SelectField } from "../../../_components/ui";
import { useMe } from "../../../_components/use-me";
import { ClusterPicker } from "./cluster-picker";
import { PlanPreview } from "./plan-preview";

type WaveRow = { kind: "percent"; value: string } | { kind: "selector"; value: string };
type NumberSetting = Exclude<
  { [K in keyof SafetySettings]: SafetySettings[K] extends number ? K : never }[keyof SafetySettings],
  undefined
>;

const NUMBER_SETTINGS: { key: NumberSetting; label: string }[] = [
  { key: "workersPerCluster", label: "Workers per cluster at once" },
  { key: "fleetConcurrency", label: "Upgrades at once, fleet-wide" },
  { key: "siteConcurrency", label: "Upgrades at once, per site" },
  { key: "fleetPulls", label: "Installer pulls at once, fleet-wide" },
  { key: "sitePulls", label: "Installer pulls at once, per site" },
  { key: "bakeMinutes", label: "Bake time after a wave (minutes)" },
  { key: "machineTimeoutMinutes", label: "Machine timeout (minutes)" },
];

/** The repository of an image reference (all before the tag), and its tag. */
const repositoryOf = (image: string) => {
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? image.slice(0, colon) : image;
};
const tagOf = (image: string) => {
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? image.slice(colon + 1) : "";
};
/** v1.14.0 after v1.13.9 after v1.13.10-rc.0: by the numbers. */
function compareVersions(a: string, b: string): number {
  const n = (v: string) =>
    v
      .replace(/^v/, "")
      .split(/[.-]/)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : -1));
  const x = n(a);
  const y = n(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function NewRolloutForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const { may, loading } = useMe();
  const handedMachines = useMemo(() => (params.get("machines") ?? "").split(",").filter(Boolean), [params]);
  const [name, setName] = useState("");
  const [image, setImage] = useState(params.get("installer") ?? "ghcr.io/siderolabs/installer:");
  const versionsInUse = useQuery(trpc.fleet.overview.queryOptions());
  const [scopeKind, setScopeKind] = useState<"machines" | "selector" | "clusters">(
    handedMachines.length ? "machines" : "selector",
  );
  const [selector, setSelector] = useState(params.get("selector") ?? "");
  const [clusters, setClusters] = useState<string[]>([]);
  const [canary, setCanary] = useState<"none" | "per-cluster" | "per-site">("per-cluster");
  const [canaryCount, setCanaryCount] = useState("1");
  const [waves, setWaves] = useState<WaveRow[]>([{ kind: "percent", value: "100" }]);
  const [safety, setSafety] = useState<SafetySettings>(DEFAULT_SAFETY);
  const [budget, setBudget] = useState(String(DEFAULT_SAFETY.failureBudget.value));
  const [budgetKind, setBudgetKind] = useState<"percent" | "count">(DEFAULT_SAFETY.failureBudget.kind);
  const [previewed, setPreviewed] = useState<string | null>(null);

  const spec = {
    name,
    installerImage: image.trim(),
    scope:
      scopeKind === "machines"
        ? { machineIds: handedMachines }
        : scopeKind === "clusters"
          ? { clusters }
          : { selector: selector.trim() },
    wavePlan: {
      canary:
        canary === "none" ? { kind: "none" as const } : { kind: canary, count: Number(canaryCount) || 1 },
      waves: waves.map((w) =>
        w.kind === "percent"
          ? { kind: "percent" as const, percent: Number(w.value) }
          : { kind: "selector" as const, selector: w.value },
      ),
    },
    safety: { ...safety, failureBudget: { kind: budgetKind, value: Number(budget) } },
  };
  const key = JSON.stringify(spec);
  const preview = useQuery(
    trpc.rollouts.preview.queryOptions(previewed ? JSON.parse(previewed) : spec, {
      enabled: previewed !== null,
      retry: false,
    }),
  );
  const create = useMutation(
    trpc.rollouts.create.mutationOptions({ onSuccess: (r) => router.push(`/rollouts/${r.id}`) }),
  );
  const stale = previewed !== key;

  if (!loading && !may("rollouts.run"))
    return (
      <ErrorNotice
        title="You cannot start rollouts"
        error={{ message: "Starting a rollout needs the operator or admin role. Ask an admin for it." }}
      />
    );

  const setNumber = (k: NumberSetting, v: string) => setSafety((s) => ({ ...s, [k]: Number(v) }));

  return (
    <form
      className="space-y-6"
      onSubmit={(e) => {
        e.preventDefault();
        setPreviewed(key);
      }}
    >
      <Card title="Target">
        <div className="grid gap-4 md:grid-cols-2">
          <Field
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Talos 1.14 everywhere"
          />
          <div>
            <Field
              label="Target Talos version"
              list="known-talos-versions"
              value={tagOf(image)}
              placeholder="v1.14.0"
              onChange={(e) => setImage(`${repositoryOf(image)}:${e.target.value.trim()}`)}
              hint="The versions your fleet runs are suggested; the installer image below follows."
            />
            <datalist id="known-talos-versions">
              {(versionsInUse.data?.talosVersions ?? [])
                .filter((v) => v.version)
                .sort((a, b) => compareVersions(b.version, a.version))
                .map((v) => (
                  <option key={v.version} value={v.version}>
                    {`${v.machines} ${v.machines === 1 ? "machine runs it" : "machines run it"}`}
                  </option>
                ))}
            </datalist>
          </div>
          <Field
            label="Installer image (its tag is the target version)"
            className="md:col-span-2"
            value={image}
            onChange={(e) => setImage(e.target.value)}
            hint="Derived from the version; change the repository for an Image Factory image with your schematic."
          />
        </div>
      </Card>

      <Card title="Machines" description="Only machines within your own scope are ever planned.">
        <div className="space-y-3">
          <div className="flex flex-wrap gap-4 text-sm">
            {handedMachines.length ? (
              <label className="flex items-center gap-2">
                <input
                  type="radio"
                  checked={scopeKind === "machines"}
                  onChange={() => setScopeKind("machines")}
                />
                The {handedMachines.length} machines handed over
              </label>
            ) : null}
            <label className="flex items-center gap-2">
              <input
                type="radio"
                checked={scopeKind === "selector"}
                onChange={() => setScopeKind("selector")}
              />
              Label selector (sites, roles, versions…)
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                checked={scopeKind === "clusters"}
                onChange={() => setScopeKind("clusters")}
              />
              Clusters
            </label>
          </div>
          {scopeKind === "selector" ? (
            <Field
              label="Selector (empty: the whole fleet)"
              value={selector}
              onChange={(e) => setSelector(e.target.value)}
              placeholder="site in (eu/dk/*),role=worker"
            />
          ) : null}
          {scopeKind === "clusters" ? <ClusterPicker chosen={clusters} onChange={setClusters} /> : null}
        </div>
      </Card>

      <Card
        title="Waves"
        description="The canary goes first; then each wave takes its share of the machines left (shares add up), or the remaining machines a selector matches. Machines no wave takes form a last wave."
      >
        <div className="space-y-3">
          <div className="grid gap-4 md:grid-cols-3">
            <SelectField
              label="Canary"
              value={canary}
              onChange={(e) => setCanary(e.target.value as typeof canary)}
            >
              <option value="per-cluster">machines per cluster</option>
              <option value="per-site">machines per site</option>
              <option value="none">no canary</option>
            </SelectField>
            {canary !== "none" ? (
              <Field
                label="How many"
                type="number"
                min={1}
                value={canaryCount}
                onChange={(e) => setCanaryCount(e.target.value)}
              />
            ) : null}
          </div>
          {waves.map((w, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: waves are edited in place by position
            <div key={i} className="flex flex-wrap items-end gap-3">
              <SelectField
                label={`Wave ${i + 1}`}
                value={w.kind}
                onChange={(e) =>
                  setWaves(
                    waves.map((x, j) =>
                      j === i ? { kind: e.target.value as WaveRow["kind"], value: "" } : x,
                    ),
                  )
                }
              >
                <option value="percent">share of the rest (%)</option>
                <option value="selector">machines matching a selector</option>
              </SelectField>
              <div className="min-w-64 flex-1">
                <Field
                  label={w.kind === "percent" ? "Percent" : "Selector"}
                  type={w.kind === "percent" ? "number" : "text"}
                  value={w.value}
                  onChange={(e) =>
                    setWaves(waves.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))
                  }
                />
              </div>
              <Button variant="secondary" onClick={() => setWaves(waves.filter((_, j) => j !== i))}>
                Remove
              </Button>
            </div>
          ))}
          <Button variant="secondary" onClick={() => setWaves([...waves, { kind: "percent", value: "50" }])}>
            Add a wave
          </Button>
        </div>
      </Card>

      <Card
        title="Safety"
        description="Defaults shown. Control planes always go one at a time per cluster, and only while etcd keeps its quorum. The sites' maintenance windows (Rollouts → Maintenance windows) apply to every rollout."
      >
        <div className="grid gap-4 md:grid-cols-3">
          {NUMBER_SETTINGS.map((s) => (
            <Field
              key={s.key}
              label={s.label}
              type="number"
              min={s.key === "bakeMinutes" ? 0 : 1}
              value={String(safety[s.key])}
              onChange={(e) => setNumber(s.key, e.target.value)}
            />
          ))}
          <div className="flex gap-2">
            <Field
              label="Failure budget per wave"
              type="number"
              min={0}
              value={budget}
              onChange={(e) => setBudget(e.target.value)}
            />
            <SelectField
              label="as"
              value={budgetKind}
              onChange={(e) => setBudgetKind(e.target.value as typeof budgetKind)}
            >
              <option value="percent">%</option>
              <option value="count">machines</option>
            </SelectField>
          </div>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={safety.prePull}
              onChange={(e) => setSafety((s) => ({ ...s, prePull: e.target.checked }))}
            />
            Pull the installer ahead (Talos 1.13 and later)
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={safety.allowSingleControlPlane}
              onChange={(e) => setSafety((s) => ({ ...s, allowSingleControlPlane: e.target.checked }))}
            />
            Also upgrade single control planes (etcd is down meanwhile)
          </label>
        </div>
      </Card>

      <Card
        title="Kubernetes"
        description="Before each reboot Minos cordons the node and evicts its pods through Kubernetes, honouring PodDisruptionBudgets (DaemonSet and static pods stay). After the reboot a machine counts as done only once its node is Ready again; then Minos lifts its cordon."
      >
        <div className="grid gap-4 md:grid-cols-3">
          <label className="flex items-center gap-2 text-sm md:col-span-3">
            <input
              type="checkbox"
              checked={safety.drain}
              onChange={(e) => setSafety((s) => ({ ...s, drain: e.target.checked }))}
            />
            Cordon and drain each node before its reboot (recommended)
          </label>
          {safety.drain ? (
            <Field
              label="Drain timeout (minutes)"
              type="number"
              min={0.05}
              step="any"
              value={String(safety.drainTimeoutMinutes)}
              onChange={(e) => setNumber("drainTimeoutMinutes", e.target.value)}
              hint="A drain not done by then stops: the node is uncordoned, not rebooted, and counts as failed."
            />
          ) : (
            <Field
              label="Why may nodes reboot without a drain?"
              required
              className="md:col-span-2"
              value={safety.drainOffReason}
              onChange={(e) => setSafety((s) => ({ ...s, drainOffReason: e.target.value }))}
              hint="Every pod on a node is killed where it stands when it reboots. The approver sees this reason."
            />
          )}
          <Field
            label="Ready timeout after the reboot (minutes)"
            type="number"
            min={0.05}
            step="any"
            value={String(safety.nodeReadyTimeoutMinutes)}
            onChange={(e) => setNumber("nodeReadyTimeoutMinutes", e.target.value)}
          />
          <label className="flex items-start gap-2 text-sm md:col-span-3">
            <input
              type="checkbox"
              className="mt-1"
              checked={safety.podCheck}
              onChange={(e) => setSafety((s) => ({ ...s, podCheck: e.target.checked }))}
            />
            <span>
              Check the pods after each wave's bake
              <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                A pod in the wave's clusters that is Pending or in CrashLoopBackOff and was not before the
                wave started holds the rollout (the page lists those pods) until someone resumes it, accepting
                them, or aborts.
              </span>
            </span>
          </label>
        </div>
      </Card>

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant={stale ? "primary" : "secondary"}>
          Preview the plan
        </Button>
        <Button
          disabled={stale || !preview.data || create.isPending}
          onClick={() => create.mutate(spec)}
          title={stale ? "Preview the plan first" : undefined}
        >
          Create rollout
        </Button>
        {stale && previewed ? (
          <span className="text-sm text-amber-700">Changed since the preview: preview again.</span>
        ) : null}
      </div>
      <FormError error={create.error} />
      {preview.error && previewed ? (
        <ErrorNotice title="The plan could not be made" error={preview.error} />
      ) : null}
      {preview.data && previewed ? <PlanPreview plan={preview.data} /> : null}
    </form>
  );
}
