// A unary Talos operation described once (method, request, decoding, default deadline), then called on one
// node (`node` routing, as talosctl 1.14 does), with the node's error decoded into a typed error.
import type { MethodDefinition } from "@grpc/grpc-js";
import type { CallSpec, CallTarget, NodeCaller, WithMetadata } from "./node-call";
import { singleMessage } from "./replies";

/**
 * Every unary MachineService reply is `{ messages: X[] }` with `metadata` first in X, where apid puts the
 * node's error.
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
