// Reads Talos replies ({messages: [{metadata, ...}]}): the single-node message, or per-node results of an aggregated reply.
import { TalosRequestError } from "./errors";
import type { NodeResult } from "./fan-out";
import type { CallSpec, NodeCaller, WithMetadata } from "./node-call";

/** The one message of a `node`-routed reply; throws the node's error if apid reported one. */
export function singleMessage<M extends WithMetadata>(
  caller: NodeCaller,
  def: { path: string },
  spec: CallSpec,
  reply: { messages: M[] },
  node: string | undefined,
): M {
  const message = reply.messages[0];
  if (message?.metadata?.error) throw caller.nodeError(def, spec, message.metadata);
  if (!message) {
    throw new TalosRequestError("node-error", {
      operation: spec.operation,
      node,
      detail: "the node sent an empty reply",
    });
  }
  return message;
}

/**
 * Splits an aggregated (`nodes`-routed) reply by `metadata.hostname`: apid appends each node's messages and
 * turns a failing node into one message carrying only `metadata.error`, while the call itself succeeds.
 */
export function splitByNode<M extends WithMetadata, T>(
  caller: NodeCaller,
  def: { path: string },
  spec: CallSpec,
  nodes: readonly string[],
  reply: { messages: M[] },
  map: (message: M) => T,
): NodeResult<T>[] {
  const byNode = new Map<string, NodeResult<T>>();
  for (const message of reply.messages) {
    const node = message.metadata?.hostname ?? "";
    if (message.metadata?.error) {
      byNode.set(node, { node, ok: false, error: caller.nodeError(def, spec, message.metadata) });
    } else {
      byNode.set(node, { node, ok: true, value: map(message) });
    }
  }
  return nodes.map(
    (node) =>
      byNode.get(node) ?? {
        node,
        ok: false,
        error: new TalosRequestError("node-error", {
          operation: spec.operation,
          node,
          detail: "apid returned no reply for this node",
        }),
      },
  );
}
