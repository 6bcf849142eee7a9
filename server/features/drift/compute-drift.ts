// Drift items of one machine: each expectation compared with what the machine runs.

import type { ActualState } from "./actual-state";
import { installerImageOf } from "./actual-state";
import { fieldHolds } from "./config-patch";
import { argKey } from "./kernel-args";
import { flattenDocuments } from "./normalise";
import type { BaselineRef, Expectation, ExpectationKind } from "./precedence";
import { type SchematicContents, sameSchematic } from "./schematic";

export interface DriftItem {
  field: string;
  kind: ExpectationKind;
  declared: unknown;
  /** What the machine runs; undefined when absent or unknown. */
  actual: unknown;
  /** drifted: differs; unknown: Minos cannot read that part of the machine (reason says why). */
  state: "drifted" | "unknown";
  reason?: string;
  baseline: BaselineRef;
}

const isEmptyObject = (v: unknown) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0;

const UNKNOWN_CONFIG = "unknown: needs admin credential";

/** Expectations that do not hold (or cannot be checked) on this machine. */
export function computeDrift(expectations: readonly Expectation[], actual: ActualState): DriftItem[] {
  const items: DriftItem[] = [];
  const flat = actual.config ? flattenDocuments(actual.config) : null;
  const unknown = (e: Expectation, reason: string) =>
    items.push({
      field: e.field,
      kind: e.kind,
      declared: e.declared,
      actual: undefined,
      state: "unknown",
      reason,
      baseline: e.baseline,
    });
  const drifted = (e: Expectation, value: unknown) =>
    items.push({
      field: e.field,
      kind: e.kind,
      declared: e.declared,
      actual: value,
      state: "drifted",
      baseline: e.baseline,
    });
  for (const e of expectations) {
    switch (e.kind) {
      case "talosVersion":
      case "kubernetesVersion":
      case "schematicId": {
        const v = actual[e.kind];
        if (v === null) unknown(e, "not reported by the machine yet");
        else if (v !== e.declared) drifted(e, v);
        break;
      }
      case "schematic": {
        if (actual.schematicId === null) unknown(e, "not reported by the machine yet");
        // not installed from an Image Factory image: nothing of the declared schematic runs
        else if (actual.schematicId === "") drifted(e, undefined);
        else if (actual.schematic === null) {
          const id = actual.schematicId.slice(0, 12);
          unknown(
            e,
            `the machine reports schematic ${id}… without its contents (Talos reports them from 1.7 on)`,
          );
        } else if (!sameSchematic(e.declared as SchematicContents, actual.schematic)) {
          drifted(e, actual.schematic);
        }
        break;
      }
      case "installerImage": {
        if (!actual.config) {
          unknown(e, actual.configUnknownReason ?? UNKNOWN_CONFIG);
          break;
        }
        const image = installerImageOf(actual.config);
        if (image !== e.declared) drifted(e, image);
        break;
      }
      case "extensions": {
        if (actual.extensions === null) unknown(e, "not reported by the machine yet");
        else if (JSON.stringify(actual.extensions) !== JSON.stringify(e.declared))
          drifted(e, actual.extensions);
        break;
      }
      case "kernelArg": {
        if (actual.kernelArgs === null) {
          unknown(e, "the machine does not report its kernel command line");
          break;
        }
        const key = e.field.slice("kernelArg:".length);
        const present = actual.kernelArgs.filter((a) => argKey(a) === key);
        const holds = e.declared === null ? present.length === 0 : present.includes(e.declared as string);
        if (!holds) drifted(e, present.length ? present.join(" ") : undefined);
        break;
      }
      case "label": {
        const v = actual.labels[e.field.slice("label:".length)];
        if (v !== e.declared) drifted(e, v);
        break;
      }
      case "config": {
        if (!flat) {
          unknown(e, actual.configUnknownReason ?? UNKNOWN_CONFIG);
          break;
        }
        const id = e.field.slice("config:".length);
        if (isEmptyObject(e.declared)) {
          // a list item declared by its key alone (`modules: [{name: br_netfilter}]`): it must exist
          if (![...flat.keys()].some((k) => k === id || k.startsWith(`${id}.`) || k.startsWith(`${id}[`)))
            drifted(e, undefined);
          break;
        }
        const v = flat.get(id)?.value ?? e.defaultValue;
        if (!fieldHolds(e.declared, v)) drifted(e, v);
        break;
      }
    }
  }
  return items;
}
