// Service and container logs (reassembled into lines), the list of log ids, and kernel messages.

import type { MethodDefinition } from "@grpc/grpc-js";
import type { TalosError } from "../errors";
import { ContainerDriver, type Data } from "../generated/common/common";
import { Empty } from "../generated/google/protobuf/empty";
import { MachineServiceService } from "../generated/machine/machine";
import { LineReader } from "../line-reader";
import { type CallSpec, type CallTarget, type NodeCaller, nodesRouting } from "../node-call";
import { callNode, unaryOperation } from "../operation";

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

export const LOGS_CONTAINERS_OP = unaryOperation({
  def: MachineServiceService.logsContainers,
  spec: () => ({ operation: "Listing logs" }),
  request: () => Empty.create(),
  result: (m) => m.ids,
});

/** Log ids the node has written (unsorted, as Talos returns them). */
export function logsContainers(caller: NodeCaller, target: CallTarget): Promise<string[]> {
  return callNode(caller, LOGS_CONTAINERS_OP, target);
}

/** Streams log lines, whole, however Talos cut its 1 KiB chunks. */
export async function* logs(caller: NodeCaller, opts: LogsOptions): AsyncGenerator<string> {
  const spec = { operation: `Reading logs of ${opts.id}` };
  const reader = new LineReader();
  for await (const chunk of caller.stream(MachineServiceService.logs, logsRequest(opts), spec, opts)) {
    if (chunk.metadata?.error) throw caller.nodeError(MachineServiceService.logs, spec, chunk.metadata);
    yield* reader.push(chunk.bytes);
  }
  yield* reader.flush();
}

/** A line of one node, or the error that ended that node's part of an aggregated stream. */
export type NodeLine = { node: string; line: string } | { node: string; error: TalosError };

/**
 * Reads a `nodes`-routed stream of `common.Data` (Logs, Dmesg) as apid aggregates it: every message carries
 * `metadata.hostname`, so bytes are reassembled into lines per node; a node that fails contributes one message
 * with `metadata.error` (yielded as that node's typed error) while the others carry on.
 */
async function* linesByNode<Req>(
  caller: NodeCaller,
  def: MethodDefinition<Req, Data>,
  request: Req,
  spec: CallSpec,
  nodes: readonly string[],
  target: Omit<CallTarget, "node">,
): AsyncGenerator<NodeLine> {
  const readers = new Map<string, LineReader>();
  for await (const chunk of caller.stream(def, request, spec, target, nodesRouting(nodes))) {
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

function logsRequest(opts: Omit<LogsOptions, "node">) {
  return {
    namespace: opts.kubernetes ? "k8s.io" : "system",
    id: opts.id,
    driver: opts.kubernetes ? ContainerDriver.CRI : ContainerDriver.CONTAINERD,
    follow: opts.follow ?? false,
    tailLines: opts.tailLines ?? -1,
  };
}

/** Logs of several nodes in one `nodes`-routed stream (talosctl <= 1.13 style), lines reassembled per node. */
export function logsAggregated(
  caller: NodeCaller,
  nodes: readonly string[],
  opts: Omit<LogsOptions, "node">,
): AsyncGenerator<NodeLine> {
  const spec = { operation: `Reading logs of ${opts.id}` };
  return linesByNode(caller, MachineServiceService.logs, logsRequest(opts), spec, nodes, opts);
}

/** Kernel messages of several nodes in one `nodes`-routed stream, one record per item, tagged with its node. */
export async function* dmesgAggregated(
  caller: NodeCaller,
  nodes: readonly string[],
  opts: Omit<DmesgOptions, "node"> = {},
): AsyncGenerator<NodeLine> {
  const spec = { operation: "Reading kernel messages" };
  const def = MachineServiceService.dmesg;
  const request = { follow: opts.follow ?? false, tail: opts.tail ?? false };
  for await (const m of caller.stream(def, request, spec, opts, nodesRouting(nodes))) {
    const node = m.metadata?.hostname ?? "";
    if (m.metadata?.error) yield { node, error: caller.nodeError(def, spec, m.metadata) };
    else yield { node, line: kernelRecord(m.bytes) };
  }
}

export interface DmesgOptions extends CallTarget {
  follow?: boolean;
  /** With follow: only new messages, not the existing buffer. */
  tail?: boolean;
}

/** A kernel record as machined sends it: one `common.Data` per record, without a newline. */
function kernelRecord(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("utf8").replace(/\n$/, "");
}

/**
 * Kernel messages, one formatted record each ("kern:    info: [time]: message"). Unlike logs, Dmesg sends one
 * record per message with no newline, so records are taken message by message, not reassembled from bytes.
 */
export async function* dmesg(caller: NodeCaller, opts: DmesgOptions): AsyncGenerator<string> {
  const spec = { operation: "Reading kernel messages" };
  const request = { follow: opts.follow ?? false, tail: opts.tail ?? false };
  for await (const m of caller.stream(MachineServiceService.dmesg, request, spec, opts)) {
    if (m.metadata?.error) throw caller.nodeError(MachineServiceService.dmesg, spec, m.metadata);
    yield kernelRecord(m.bytes);
  }
}
