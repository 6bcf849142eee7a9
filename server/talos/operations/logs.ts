// Service and container logs (reassembled into lines), the list of log ids, and kernel messages.

import type { TalosError } from "../errors";
import { ContainerDriver } from "../generated/common/common";
import { Empty } from "../generated/google/protobuf/empty";
import { MachineServiceService } from "../generated/machine/machine";
import { LineReader } from "../line-reader";
import { type CallTarget, type NodeCaller, nodesRouting } from "../node-call";
import { singleMessage } from "../replies";

export interface LogsOptions extends CallTarget {
  /** Service id (machined, etcd, kubelet, ...) or container id. */
  id: string;
  /** true for Kubernetes containers (namespace k8s.io, CRI driver), as talosctl logs -k. */
  kubernetes?: boolean;
  /** Keep streaming new lines until aborted. */
  follow?: boolean;
  /** Last N lines; omit (or negative) for the whole buffer. */
  tailLines?: number;
}

/** Log ids the node has written (unsorted, as Talos returns them). */
export async function logsContainers(caller: NodeCaller, target: CallTarget): Promise<string[]> {
  const def = MachineServiceService.logsContainers;
  const spec = { operation: "Listing logs" };
  const reply = await caller.unary(def, Empty.create(), spec, target);
  return singleMessage(caller, def, spec, reply, target.node).ids;
}

/** Streams log lines, whole, however Talos cut its 1 KiB chunks. */
export async function* logs(caller: NodeCaller, opts: LogsOptions): AsyncGenerator<string> {
  const spec = { operation: `Reading logs of ${opts.id}` };
  const request = {
    namespace: opts.kubernetes ? "k8s.io" : "system",
    id: opts.id,
    driver: opts.kubernetes ? ContainerDriver.CRI : ContainerDriver.CONTAINERD,
    follow: opts.follow ?? false,
    tailLines: opts.tailLines ?? -1,
  };
  const reader = new LineReader();
  for await (const chunk of caller.stream(MachineServiceService.logs, request, spec, opts)) {
    if (chunk.metadata?.error) throw caller.nodeError(MachineServiceService.logs, spec, chunk.metadata);
    yield* reader.push(chunk.bytes);
  }
  yield* reader.flush();
}

/** A line of one node, or the error that ended that node's part of an aggregated stream. */
export type NodeLine = { node: string; line: string } | { node: string; error: TalosError };

/**
 * Logs of several nodes in one `nodes`-routed stream (talosctl <= 1.13 style): lines are reassembled per node;
 * a node that fails yields one error item and the others carry on.
 */
export async function* logsAggregated(
  caller: NodeCaller,
  nodes: readonly string[],
  opts: Omit<LogsOptions, "node">,
): AsyncGenerator<NodeLine> {
  const spec = { operation: `Reading logs of ${opts.id}` };
  const request = {
    namespace: opts.kubernetes ? "k8s.io" : "system",
    id: opts.id,
    driver: opts.kubernetes ? ContainerDriver.CRI : ContainerDriver.CONTAINERD,
    follow: opts.follow ?? false,
    tailLines: opts.tailLines ?? -1,
  };
  const readers = new Map<string, LineReader>();
  const def = MachineServiceService.logs;
  for await (const chunk of caller.stream(def, request, spec, opts, nodesRouting(nodes))) {
    const node = chunk.metadata?.hostname ?? "";
    if (chunk.metadata?.error) {
      yield { node, error: caller.nodeError(def, spec, chunk.metadata) };
      continue;
    }
    let reader = readers.get(node);
    if (!reader) {
      reader = new LineReader();
      readers.set(node, reader);
    }
    for (const line of reader.push(chunk.bytes)) yield { node, line };
  }
  for (const [node, reader] of readers) for (const line of reader.flush()) yield { node, line };
}

export interface DmesgOptions extends CallTarget {
  follow?: boolean;
  /** With follow: only new messages, not the existing buffer. */
  tail?: boolean;
}

/** Kernel messages, one formatted record per line ("kern:    info: [time]: message"). */
export async function* dmesg(caller: NodeCaller, opts: DmesgOptions): AsyncGenerator<string> {
  const spec = { operation: "Reading kernel messages" };
  const request = { follow: opts.follow ?? false, tail: opts.tail ?? false };
  const reader = new LineReader();
  for await (const chunk of caller.stream(MachineServiceService.dmesg, request, spec, opts)) {
    if (chunk.metadata?.error) throw caller.nodeError(MachineServiceService.dmesg, spec, chunk.metadata);
    yield* reader.push(chunk.bytes);
  }
  yield* reader.flush();
}
