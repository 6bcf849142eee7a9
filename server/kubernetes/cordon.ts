// Cordon and uncordon with ownership. Minos marks a node it cordons with an annotation naming what cordoned
// it (a rollout), so that after a crash another instance knows the cordon is its own and finishes or undoes
// it, and so that a node cordoned by someone else (a person, Talos's own drain) is never uncordoned by Minos.
// Writes carry the node's resourceVersion: a concurrent change makes them fail (409) rather than overwrite.
import type { V1Node } from "@kubernetes/client-node";
import { KubeError } from "./errors";
import type { KubeCall, KubeClient } from "./kube-client";

/** Set by Minos on nodes it cordons; the value says for what ("rollout/<id>"). */
export const MINOS_CORDON_ANNOTATION = "minos.dev/cordoned-for";
/**
 * Set by Talos when its own drain cordons a node (legacy Upgrade, Shutdown); its boot sequence uncordons
 * only nodes carrying it (siderolabs/talos pkg/kubernetes: Cordon / Uncordon).
 */
export const TALOS_CORDON_ANNOTATION = "talos.dev/cordoned";

export type CordonOwner =
  | { kind: "none" }
  | { kind: "minos"; owner: string }
  | { kind: "talos" }
  | { kind: "other" };

/** Who holds the node's cordon, if it is cordoned. */
export function cordonOf(node: V1Node): CordonOwner {
  if (!node.spec?.unschedulable) return { kind: "none" };
  const annotations = node.metadata?.annotations ?? {};
  const minos = annotations[MINOS_CORDON_ANNOTATION];
  if (minos) return { kind: "minos", owner: minos };
  if (annotations[TALOS_CORDON_ANNOTATION] !== undefined) return { kind: "talos" };
  return { kind: "other" };
}

export function describeCordon(c: CordonOwner): string {
  switch (c.kind) {
    case "none":
      return "schedulable";
    case "minos":
      return `cordoned by Minos for ${c.owner}`;
    case "talos":
      return "cordoned by Talos";
    default:
      return "cordoned by someone else";
  }
}

export type CordonResult =
  /** Minos cordoned it now, or had already cordoned it for the same owner (after a restart). */
  | { cordoned: "by-us" }
  /** It was already cordoned by someone else: Minos will leave that cordon in place. */
  | { cordoned: "by-others"; who: CordonOwner };

/** Cordons the node for `owner` (e.g. "rollout/<id>"), unless someone else already holds a cordon. */
export async function cordon(
  kube: KubeClient,
  node: string,
  owner: string,
  c: KubeCall = {},
): Promise<CordonResult> {
  for (let attempt = 0; ; attempt++) {
    const current = await kube.getNode(node, c);
    const who = cordonOf(current);
    if (who.kind === "minos" && who.owner === owner) return { cordoned: "by-us" };
    if (who.kind !== "none") return { cordoned: "by-others", who };
    try {
      await kube.patchNode(
        node,
        {
          metadata: {
            resourceVersion: current.metadata?.resourceVersion,
            annotations: { [MINOS_CORDON_ANNOTATION]: owner },
          },
          spec: { unschedulable: true },
        },
        c,
      );
      return { cordoned: "by-us" };
    } catch (err) {
      if (err instanceof KubeError && err.code === 409 && attempt < 5) continue;
      throw err;
    }
  }
}

/**
 * Uncordons the node if `owner` holds its cordon (or, with `talosToo`, if Talos's own drain left it
 * cordoned). Returns what the node's cordon is afterwards.
 */
export async function uncordon(
  kube: KubeClient,
  node: string,
  owner: string,
  c: KubeCall & { talosToo?: boolean } = {},
): Promise<CordonOwner> {
  for (let attempt = 0; ; attempt++) {
    const current = await kube.getNode(node, c);
    const who = cordonOf(current);
    const ours = (who.kind === "minos" && who.owner === owner) || (who.kind === "talos" && c.talosToo);
    // A stale annotation of ours on a node someone else uncordoned and cordoned again is not removed.
    if (!ours) return who;
    try {
      await kube.patchNode(
        node,
        {
          metadata: {
            resourceVersion: current.metadata?.resourceVersion,
            annotations: { [MINOS_CORDON_ANNOTATION]: null, [TALOS_CORDON_ANNOTATION]: null },
          },
          spec: { unschedulable: null },
        },
        c,
      );
      return { kind: "none" };
    } catch (err) {
      if (err instanceof KubeError && err.code === 409 && attempt < 5) continue;
      throw err;
    }
  }
}
