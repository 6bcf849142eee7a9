// Service and container logs (reassembled into lines), the list of log ids, and kernel messages.

import { ContainerDriver } from "@/proto/generated/common/common";
import { Empty } from "@/proto/generated/google/protobuf/empty";
import { MachineServiceService } from "@/proto/generated/machine/machine";
import { LineReader } from "../line-reader";
import type { CallTarget, NodeCaller } from "../node-call";
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

function logsRequest(opts: Omit<LogsOptions, "node">) {
  return {
    namespace: opts.kubernetes ? "k8s.io" : "system",
    id: opts.id,
    driver: opts.kubernetes ? ContainerDriver.CRI : ContainerDriver.CONTAINERD,
    follow: opts.follow ?? false,
    tailLines: opts.tailLines ?? -1,
  };
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
