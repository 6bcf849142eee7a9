// Drift at 10,000 machines in 1,000 clusters (seeded straight into Postgres, each with a redacted,
// normalised configuration of ~40 fields, extensions and kernel arguments; 1 % booted with another kernel
// argument, 0.5 % with a changed kubelet setting) and three baselines (fleet, site, label selector):
// full recomputation (first, writing every item; then again with nothing changed), the incremental update
// after one machine's reading changed, fingerprint grouping per machine in memory (every configuration walked),
// the one-time fingerprint backfill, and outlier groups from the database as the overview reads them: first
// call, again with nothing changed, and after one machine's Talos version changed.
import pg from "pg";
import { compileBaseline } from "../../server/features/drift/baseline";
import { parseConfigText } from "../../server/features/drift/config-documents";
import { machineComponents } from "../../server/features/drift/fingerprint";
import { backfillFingerprints } from "../../server/features/drift/fingerprint-store";
import { normaliseDocuments } from "../../server/features/drift/normalise";
import { outlierGroups } from "../../server/features/drift/outlier-groups";
import { findOutliers } from "../../server/features/drift/outliers";
import { recomputeDrift } from "../../server/features/drift/recompute-drift";
import { redactDocuments } from "../../server/features/drift/redact";
import { createDb } from "../../server/platform/db/client";
import { applyMigrations } from "../../server/platform/db/migrate";
import { seedLargeFleet } from "../../server/testing/seed-inventory";
import { startTempPostgres } from "../../server/testing/temp-postgres";
import type { BenchMetric, BenchSuite } from "../suite";

const CLUSTERS = Number(process.env.BENCH_DRIFT_CLUSTERS ?? 1000);
const PER_CLUSTER = 10;

async function startPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (!process.env.DATABASE_URL) return startTempPostgres();
  const name = `minos_bench_drift_${Date.now()}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    stop: async () => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function configText(hostname: string, cluster: string, role: string, maxPods: number): string {
  return `version: v1alpha1
machine:
  type: ${role}
  token: abcdef.0123456789abcdef
  ca: { crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==, key: "" }
  certSANs: []
  kubelet:
    image: ghcr.io/siderolabs/kubelet:v1.34.1
    extraArgs: { max-pods: ${maxPods}, rotate-server-certificates: "true" }
    nodeIP: { validSubnets: [10.0.0.0/8] }
  network:
    hostname: ${hostname}
    nameservers: [1.1.1.1, 9.9.9.9]
  install: { disk: /dev/sda, image: ghcr.io/siderolabs/installer:v1.11.5, wipe: false }
  sysctls: { net.core.somaxconn: "65535", fs.inotify.max_user_watches: "524288" }
  time: { servers: [time.cloudflare.com] }
  features: { rbac: true, stableHostname: true, kubePrism: { enabled: true, port: 7445 }, hostDNS: { enabled: true } }
  kernel: { modules: [{ name: br_netfilter }] }
  nodeLabels: { topology.kubernetes.io/zone: z1 }
cluster:
  id: ZXhhbXBsZUNsdXN0ZXJJZEZvckJlbmNobWFya3NPbmx5MTIz
  secret: c2VjcmV0Rm9yQmVuY2htYXJrc09ubHlOb3RSZWFsMTIzNDU2
  clusterName: ${cluster}
  controlPlane: { endpoint: "https://${cluster}.example:6443" }
  network: { cni: { name: flannel }, dnsDomain: cluster.local, podSubnets: [10.244.0.0/16], serviceSubnets: [10.96.0.0/12] }
  token: abcdef.0123456789abcdef
  discovery: { enabled: true }
`;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

const suite: BenchSuite = {
  name: "drift",
  description: `drift recomputation and fingerprint grouping, ${CLUSTERS * PER_CLUSTER} machines in ${CLUSTERS} clusters`,
  async run(): Promise<BenchMetric[]> {
    const pgServer = await startPostgres();
    await applyMigrations(pgServer.url);
    const db = createDb(pgServer.url);
    try {
      await seedLargeFleet(db, { clusters: CLUSTERS, perCluster: PER_CLUSTER, historyPerMachine: 0 });
      const machines = await db.machine.findMany({
        select: { id: true, hostname: true, role: true, cluster: { select: { name: true } } },
        orderBy: { hostname: "asc" },
      });
      const rows = machines.map((m, i) => {
        const docs = parseConfigText(
          configText(m.hostname, m.cluster.name, m.role, i % 200 === 7 ? 250 : 110),
        ).documents;
        return {
          machineId: m.id,
          extensions: i % 3 === 0 ? ["iscsi-tools", "qemu-guest-agent"] : ["iscsi-tools"],
          schematicId: "",
          kernelArgs: [
            "talos.platform=metal",
            "console=ttyS0",
            "pti=on",
            ...(i % 100 === 3 ? ["mitigations=off"] : []),
          ],
          config: normaliseDocuments(redactDocuments(docs)) as unknown as object,
          readingHash: `seed-${i}`,
          readAt: new Date(),
        };
      });
      for (let i = 0; i < rows.length; i += 1000)
        await db.machineDriftState.createMany({ data: rows.slice(i, i + 1000) });
      const baselines = [
        {
          name: "fleet",
          spec: {
            attach: { level: "fleet" },
            talosVersion: "v1.11.5",
            kernelArgs: ["pti=on", "-mitigations"],
            configPatches: [
              { role: "all", patch: "machine:\n  kubelet:\n    extraArgs:\n      max-pods: 110\n" },
            ],
          },
        },
        {
          name: "eu-dk",
          spec: { attach: { level: "site", site: "eu/dk" }, extensions: ["siderolabs/iscsi-tools"] },
        },
        {
          name: "flagship",
          spec: { attach: { level: "selector", selector: "tier=flagship" }, kernelArgs: ["console=ttyS0"] },
        },
      ];
      for (const b of baselines) {
        const { baseline, errors } = compileBaseline({ id: "", ...b });
        if (!baseline) throw new Error(JSON.stringify(errors));
        await db.baseline.create({ data: { name: b.name, spec: baseline.spec as object } });
      }

      const first = await timed(() => recomputeDrift({ db }));
      const steady = await timed(() => recomputeDrift({ db }));
      // one machine's reading changes (its kubelet setting drifts), then it clears again
      const target = machines[42]?.id ?? "";
      const state = rows[42];
      const incremental: number[] = [];
      for (let k = 0; k < 20; k++) {
        const docs = parseConfigText(configText("m", "c", "worker", k % 2 ? 110 : 300)).documents;
        await db.machineDriftState.update({
          where: { machineId: target },
          data: {
            config: normaliseDocuments(redactDocuments(docs)) as unknown as object,
            readingHash: `x${k}`,
          },
        });
        incremental.push((await timed(() => recomputeDrift({ db, machineIds: [target] }))).ms);
      }
      incremental.sort((a, b) => a - b);
      void state;

      // fingerprint grouping per machine, the way the overview grouped before fingerprints were stored: every
      // machine's reading loaded and its configuration walked into components, then grouped (in memory: the
      // grouping alone, over rows already loaded)
      const perMachine = async (rows?: Awaited<ReturnType<typeof loadReadings>>) =>
        findOutliers(
          (rows ?? (await loadReadings())).map((m) => ({
            ids: [m.id],
            cluster: m.cluster.name,
            site: m.effectiveSite,
            role: m.role,
            components: machineComponents({
              talosVersion: m.talosVersion || null,
              kubernetesVersion: m.kubernetesVersion || null,
              extensions: m.driftState?.extensions as string[] | null,
              schematicId: m.driftState?.schematicId ?? null,
              schematic: null,
              kernelArgs: m.driftState?.kernelArgs as string[] | null,
              labels: {},
              config: m.driftState?.config as never,
            }),
          })),
        );
      const loadReadings = () =>
        db.machine.findMany({
          select: {
            id: true,
            role: true,
            effectiveSite: true,
            talosVersion: true,
            kubernetesVersion: true,
            cluster: { select: { name: true } },
            driftState: true,
          },
        });
      const loaded = await loadReadings();
      const inMemory = await timed(() => perMachine(loaded));
      // readings stored before fingerprints existed get theirs once (what upgrading Minos costs)
      const backfill = await timed(() => backfillFingerprints(db));
      const fingerprints = await db.driftFingerprint.count();
      const fromDb = await timed(() => outlierGroups({ db, scopes: [""] }));
      const unchanged: number[] = [];
      for (let k = 0; k < 20; k++)
        unchanged.push((await timed(() => outlierGroups({ db, scopes: [""] }))).ms);
      unchanged.sort((a, b) => a - b);
      // one machine's Talos version changes (an upgrade): the classes change, the groups are brought up to date;
      // alternated with grouping per machine from the database, so both see the same load
      const afterChange: number[] = [];
      const perMachineDb: number[] = [];
      for (let k = 0; k < 10; k++) {
        await db.machine.update({
          where: { id: machines[k * 97]?.id ?? "" },
          data: { talosVersion: k % 2 ? "v1.11.5" : "v1.11.6" },
        });
        afterChange.push((await timed(() => outlierGroups({ db, scopes: [""] }))).ms);
        if (k % 3 === 0) perMachineDb.push((await timed(() => perMachine())).ms);
      }
      afterChange.sort((a, b) => a - b);
      perMachineDb.sort((a, b) => a - b);
      const items = await db.driftItem.count();
      const n = machines.length;
      console.log(
        `  first full ${first.ms.toFixed(0)} ms (${first.value.events} items appeared), steady full ${steady.ms.toFixed(0)} ms, incremental p50 ${incremental[10]?.toFixed(1)} ms, grouping per machine in memory ${inMemory.ms.toFixed(0)} ms / from the database p50 ${perMachineDb[2]?.toFixed(0)} ms (${inMemory.value.length} outlier groups), fingerprint backfill ${backfill.ms.toFixed(0)} ms (${fingerprints} distinct), outliers from the database: first ${fromDb.ms.toFixed(0)} ms (${fromDb.value.length} groups), unchanged p50 ${unchanged[10]?.toFixed(1)} ms, after a change p50 ${afterChange[5]?.toFixed(1)} ms, ${items} drift items`,
      );
      const params = { machines: n, clusters: CLUSTERS, baselines: baselines.length };
      return [
        {
          name: "drift.full_recompute_first_ms",
          value: Math.round(first.ms),
          unit: "ms",
          params: { ...params, itemsWritten: first.value.events },
        },
        { name: "drift.full_recompute_steady_ms", value: Math.round(steady.ms), unit: "ms", params },
        {
          name: "drift.incremental_one_machine_p50_ms",
          value: Number((incremental[10] ?? 0).toFixed(1)),
          unit: "ms",
          params: { ...params, samples: 20 },
        },
        {
          name: "drift.incremental_one_machine_max_ms",
          value: Number((incremental.at(-1) ?? 0).toFixed(1)),
          unit: "ms",
          params,
        },
        {
          name: "drift.fingerprint_grouping_memory_ms",
          value: Math.round(inMemory.ms),
          unit: "ms",
          params: { ...params, groups: inMemory.value.length },
        },
        {
          name: "drift.fingerprint_grouping_per_machine_db_p50_ms",
          value: Math.round(perMachineDb[2] ?? 0),
          unit: "ms",
          params: { ...params, samples: perMachineDb.length },
        },
        {
          name: "drift.fingerprint_backfill_ms",
          value: Math.round(backfill.ms),
          unit: "ms",
          params: { ...params, fingerprints },
        },
        {
          name: "drift.outliers_db_first_ms",
          value: Math.round(fromDb.ms),
          unit: "ms",
          params: { ...params, groups: fromDb.value.length },
        },
        {
          name: "drift.outliers_db_unchanged_p50_ms",
          value: Number((unchanged[10] ?? 0).toFixed(1)),
          unit: "ms",
          params: { ...params, samples: 20 },
        },
        {
          name: "drift.outliers_db_after_change_p50_ms",
          value: Number((afterChange[5] ?? 0).toFixed(1)),
          unit: "ms",
          params: { ...params, samples: 10 },
        },
      ];
    } finally {
      await db.$disconnect();
      await pgServer.stop();
    }
  },
};

export default suite;
