// A unary Talos operation described once, then called on one node (`node` routing) or on many in one call
// (`nodes` routing, aggregated by apid), with the same request, decoding and per-node error handling.
import type { MethodDefinition } from "@grpc/grpc-js";
import type { NodeResult } from "./fan-out";
import {
  type CallSpec,
  type CallTarget,
  type NodeCaller,
  nodesRouting,
  type WithMetadata,
} from "./node-call";
import { singleMessage, splitByNode } from "./replies";

/**
 * Every unary MachineService reply is `{ messages: X[] }` with `metadata` first in X: that is what lets apid
 * aggregate it, and what lets one description serve both routings.
 */
export interface UnaryOperation<O, Req, M extends WithMetadata, T> {
  def: MethodDefinition<Req, { messages: M[] }>;
  spec(o: O): CallSpec;
  request(o: O): Req;
  /** Decodes one node's message. */
  result(m: M, o: O): T;
  /** Deadline when the caller gives none (default: the client's 10 s). */
  timeoutMs?: number;
}

/** Typed constructor (lets TypeScript infer the message type from the method definition). */
export function unaryOperation<O, Req, M extends WithMetadata, T>(
  op: UnaryOperation<O, Req, M, T>,
): UnaryOperation<O, Req, M, T> {
  return op;
}

function withTimeout<T extends { timeoutMs?: number }>(target: T, timeoutMs: number | undefined): T {
  return target.timeoutMs === undefined && timeoutMs !== undefined ? { ...target, timeoutMs } : target;
}

/** One node (`node` metadata, or the endpoint itself without a node); rejects with the node's TalosError. */
export async function callNode<O, Req, M extends WithMetadata, T>(
  caller: NodeCaller,
  op: UnaryOperation<O, Req, M, T>,
  o: O & CallTarget,
): Promise<T> {
  const spec = op.spec(o);
  const reply = await caller.unary(op.def, op.request(o), spec, withTimeout(o, op.timeoutMs));
  return op.result(singleMessage(caller, op.def, spec, reply, o.node), o);
}

/**
 * Several nodes in one call (`nodes` metadata, talosctl <= 1.13 style). apid answers OK even when nodes fail:
 * each node gets its result, or the typed error decoded from its `metadata.error`, in the order of `nodes`.
 */
export async function callNodes<O, Req, M extends WithMetadata, T>(
  caller: NodeCaller,
  op: UnaryOperation<O, Req, M, T>,
  nodes: readonly string[],
  o: O & Omit<CallTarget, "node">,
): Promise<NodeResult<T>[]> {
  const spec = op.spec(o);
  const reply = await caller.unary(
    op.def,
    op.request(o),
    spec,
    withTimeout(o, op.timeoutMs),
    nodesRouting(nodes),
  );
  return splitByNode(caller, op.def, spec, nodes, reply, (m) => op.result(m, o));
}
