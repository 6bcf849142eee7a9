// Baselines the demo fleet starts with, so the Drift page shows declared drift at once (not only
// outliers): a fleet-wide rule that speculative-execution mitigations are left at the kernel's default, and, for the cluster
// caught half-way through an upgrade, the version its control plane should all be on.

import type { buildFleetSpec } from "@/sim";
import type { PrismaClient } from "../../platform/db/client";
import type { BaselineSpec } from "../drift/baseline";
import { saveBaseline } from "../drift/edit-baselines";

export interface DemoBaseline {
  name: string;
  description: string;
  spec: BaselineSpec;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function demoBaselines(spec: ReturnType<typeof buildFleetSpec>): DemoBaseline[] {
  const baselines: DemoBaseline[] = [
    {
      name: "fleet-defaults",
      description: "Speculative-execution mitigations stay at the kernel default (no mitigations= argument).",
      spec: { attach: { level: "fleet" }, kernelArgs: ["-mitigations"] },
    },
  ];
  const mixed = spec.clusters.find((c) => new Set(c.nodes.map((n) => n.talosVersion)).size > 1);
  const target = mixed && mostCommon(mixed.nodes.map((n) => n.talosVersion));
  const kubernetes = mixed && mostCommon(mixed.nodes.map((n) => n.kubernetesVersion));
  if (mixed && target && kubernetes) {
    baselines.push({
      name: mixed.name,
      description: `What every machine of ${mixed.name} runs once its upgrade is finished.`,
      spec: {
        attach: { level: "cluster", cluster: mixed.name },
        talosVersion: target,
        kubernetesVersion: kubernetes,
      },
    });
  }
  return baselines;
}

/** Saves the demo baselines (validated like any other); an invalid one is a bug, so it throws. */
export async function saveDemoBaselines(
  db: PrismaClient,
  spec: ReturnType<typeof buildFleetSpec>,
): Promise<number> {
  const baselines = demoBaselines(spec);
  for (const b of baselines) {
    const saved = await saveBaseline({ db, input: b });
    if (!saved.ok) {
      throw new Error(`demo baseline ${b.name} is invalid: ${saved.errors.map((e) => e.message).join("; ")}`);
    }
  }
  return baselines.length;
}
