// Reads Talos replies ({messages: [{metadata, ...}]}): the message of the one node a call was routed to.
import { TalosRequestError } from "./errors";
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
