// Drift for every machine of a seeded fleet, written straight to the database (benchmarks): a reading per machine
// (extensions and kernel arguments; 1 % with an extra extension, so there are outlier groups) with its fingerprint,
// and drift items — 5 % with a drifted kernel argument (a fifth of those acknowledged), 2 % a drifted
// configuration field, 10 % a configuration they cannot check.

import { backfillFingerprints } from "../features/drift/fingerprint-store";
import type { PrismaClient } from "../platform/db/client";

export async function seedDrift(db: PrismaClient): Promise<void> {
  const machines = await db.machine.findMany({ select: { id: true }, orderBy: { hostname: "asc" } });
  const now = new Date();
  const baselineId = crypto.randomUUID();
  const states = machines.map((m, i) => ({
    machineId: m.id,
    extensions: i % 100 === 3 ? ["iscsi-tools", "tailscale"] : ["iscsi-tools"],
    schematicId: "",
    kernelArgs: ["talos.platform=metal", "pti=on"],
    readingHash: `seed-${i}`,
    readAt: now,
  }));
  const item = (machineId: string, field: string, kind: string, state: string, acknowledged = false) => ({
    machineId,
    field,
    kind,
    declared: "declared",
    actual: state === "drifted" ? "actual" : undefined,
    state,
    baselineId,
    baselineName: "fleet",
    since: now,
    acknowledgedUntil: acknowledged ? new Date(now.getTime() + 86_400_000) : null,
  });
  const items = machines.flatMap((m, i) => [
    ...(i % 20 === 3 ? [item(m.id, "kernelArg:mitigations", "kernelArg", "drifted", i % 100 === 3)] : []),
    ...(i % 50 === 5
      ? [item(m.id, "config:v1alpha1:machine.kubelet.extraArgs.max-pods", "config", "drifted")]
      : []),
    ...(i % 10 === 1 ? [item(m.id, "config:v1alpha1:machine.features.rbac", "config", "unknown")] : []),
  ]);
  for (let i = 0; i < states.length; i += 1000) {
    await db.machineDriftState.createMany({ data: states.slice(i, i + 1000) });
  }
  for (let i = 0; i < items.length; i += 1000)
    await db.driftItem.createMany({ data: items.slice(i, i + 1000) });
  await backfillFingerprints(db);
}
