// Whether a Kubernetes Node is Ready, and waiting until it is after a reboot. A Ready condition left from
// before the reboot does not count: the kubelet must report a boot other than the one it reported before
// (status.nodeInfo.bootID, the kernel's boot id) or the boot Talos reports now, or, where the Node reports
// no boot id, have posted Ready since the reboot began.
import { setTimeout as sleep } from "node:timers/promises";
import type { V1Node } from "@kubernetes/client-node";
import { type CordonOwner, cordonOf } from "./cordon";
import { KubeError } from "./errors";
import type { KubeCall, KubeClient } from "./kube-client";

export interface NodeReadiness {
  ready: boolean;
  /** The Node has a Ready condition at all (a node just registered has none yet). */
  hasCondition: boolean;
  /** The Ready condition's reason and message ("KubeletReady", "NodeStatusUnknown: Kubelet stopped posting…"). */
  reason: string;
  message: string;
  bootId: string;
  kubeletVersion: string;
  cordon: CordonOwner;
  heartbeat?: Date;
}

export function readinessOf(node: V1Node): NodeReadiness {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  return {
    ready: ready?.status === "True",
    hasCondition: ready !== undefined,
    reason: ready?.reason ?? (ready ? "" : "NoReadyCondition"),
    message: ready?.message ?? "",
    bootId: node.status?.nodeInfo?.bootID ?? "",
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? "",
    cordon: cordonOf(node),
    heartbeat: ready?.lastHeartbeatTime ? new Date(ready.lastHeartbeatTime) : undefined,
  };
}

/** The readiness in words for a machine's row: "NotReady (NodeStatusUnknown: Kubelet stopped posting …)". */
export function describeReadiness(r: NodeReadiness): string {
  if (r.ready) return "Ready";
  const why = [r.reason, r.message].filter(Boolean).join(": ");
  return why ? `NotReady (${why})` : "NotReady";
}

export class NodeNotReadyError extends KubeError {
  override name = "NodeNotReadyError";
  constructor(
    node: string,
    timeoutMs: number,
    readonly last: NodeReadiness | undefined,
  ) {
    super(
      `node ${node} did not become Ready in Kubernetes within ${Math.round(timeoutMs / 1000)} s after the reboot` +
        (last ? ` (last seen ${describeReadiness(last)})` : " (the Kubernetes API did not answer)"),
      0,
      "NodeNotReady",
    );
  }
}

export interface WaitReadyOptions extends KubeCall {
  timeoutMs: number;
  /** Poll interval (talosctl: 5 s). */
  pollMs?: number;
  /** The boot Talos reports after the reboot: a Node reporting it is on the new boot. */
  bootId?: string;
  /** The boot id the Node reported before the reboot: a Node reporting another one is on a new boot. */
  nodeBootIdBefore?: string;
  /** When the reboot began: without a boot id on the Node, a Ready posted before then does not count. */
  since?: Date;
  onProgress?: (r: NodeReadiness | undefined, error?: string) => void;
}

/** Resolves with the node's readiness once it is Ready on the expected boot; NodeNotReadyError past the timeout. */
export async function waitNodeReady(
  kube: KubeClient,
  node: string,
  o: WaitReadyOptions,
): Promise<NodeReadiness> {
  const started = Date.now();
  let last: NodeReadiness | undefined;
  for (;;) {
    try {
      last = readinessOf(await kube.getNode(node, { signal: o.signal }));
      const onThisBoot = last.bootId
        ? last.bootId === o.bootId ||
          (o.nodeBootIdBefore ? last.bootId !== o.nodeBootIdBefore : o.bootId === undefined)
        : !o.since || (last.heartbeat !== undefined && last.heartbeat >= o.since);
      if (last.ready && onThisBoot) return last;
      o.onProgress?.(last);
    } catch (err) {
      if (o.signal?.aborted) throw err;
      o.onProgress?.(last, err instanceof Error ? err.message : String(err));
    }
    if (Date.now() - started >= o.timeoutMs) throw new NodeNotReadyError(node, o.timeoutMs, last);
    await sleep(Math.min(o.pollMs ?? 5_000, Math.max(0, o.timeoutMs - (Date.now() - started))), undefined, {
      signal: o.signal,
    });
  }
}
