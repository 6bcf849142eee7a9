// COSI resource reads (cosi.resource.State Get/List/Watch) and the typed resources Minos uses.

import type { Resource } from "@/proto/generated/v1alpha1/resource";
import { EventType, eventTypeToJSON, StateService } from "@/proto/generated/v1alpha1/state";
import { TalosRequestError } from "../errors";
import type { CallTarget, NodeCaller } from "../node-call";

/** A resource pointer: Talos has no server-side aliases, so type and namespace are always explicit. */
export interface ResourceKind {
  namespace: string;
  type: string;
  /** Sensitive types (machine config, secrets) need os:admin. */
  sensitive?: boolean;
}

export interface RawResource {
  namespace: string;
  type: string;
  id: string;
  version: string;
  phase: string;
  labels: Record<string, string>;
  /** The spec message serialized; decode it with the matching generated type. */
  protoSpec: Uint8Array;
  yamlSpec: string;
}

export type ResourceEventType = "CREATED" | "UPDATED" | "DESTROYED" | "BOOTSTRAPPED" | "ERRORED" | "NOOP";

export interface ResourceEvent {
  type: ResourceEventType;
  resource?: RawResource;
  error?: string;
}

export function toRawResource(r: Resource | undefined): RawResource | undefined {
  if (!r?.metadata) return undefined;
  return {
    namespace: r.metadata.namespace,
    type: r.metadata.type,
    id: r.metadata.id,
    version: r.metadata.version,
    phase: r.metadata.phase,
    labels: r.metadata.labels,
    protoSpec: r.spec?.protoSpec ?? new Uint8Array(),
    yamlSpec: r.spec?.yamlSpec ?? "",
  };
}

export async function getResource(
  caller: NodeCaller,
  kind: ResourceKind,
  id: string,
  target: CallTarget,
): Promise<RawResource> {
  const spec = { operation: `Reading ${kind.type} "${id}"`, sensitive: kind.sensitive };
  const reply = await caller.unary(
    StateService.get,
    { namespace: kind.namespace, type: kind.type, id, options: {} },
    spec,
    target,
  );
  const resource = toRawResource(reply.resource);
  if (!resource) {
    throw new TalosRequestError("node-error", {
      ...spec,
      node: target.node,
      detail: "empty resource in reply",
    });
  }
  return resource;
}

export async function listResources(
  caller: NodeCaller,
  kind: ResourceKind,
  target: CallTarget,
): Promise<RawResource[]> {
  const spec = { operation: `Listing ${kind.type}`, sensitive: kind.sensitive };
  const out: RawResource[] = [];
  const request = {
    namespace: kind.namespace,
    type: kind.type,
    options: { labelQuery: [], idQuery: undefined },
  };
  // List is a stream without a deadline of its own: bound it like a unary call.
  const bounded = { ...target, timeoutMs: target.timeoutMs ?? 10_000 };
  for await (const message of caller.stream(StateService.list, request, spec, bounded)) {
    const resource = toRawResource(message.resource);
    if (resource) out.push(resource);
  }
  return out;
}

/**
 * Watches one resource (id given) or a kind; yields the current state first, then every change.
 * Ends when target.signal aborts or the connection drops (the caller decides whether to re-watch).
 */
export async function* watchResources(
  caller: NodeCaller,
  kind: ResourceKind,
  target: CallTarget & { id?: string; bootstrapContents?: boolean },
): AsyncGenerator<ResourceEvent> {
  const spec = { operation: `Watching ${kind.type}`, sensitive: kind.sensitive };
  const request = {
    namespace: kind.namespace,
    type: kind.type,
    id: target.id,
    options: {
      bootstrapContents: target.id === undefined ? (target.bootstrapContents ?? true) : false,
      tailEvents: 0,
      labelQuery: [],
      idQuery: undefined,
      aggregated: false,
      startFromBookmark: undefined,
      bootstrapBookmark: false,
    },
    apiVersion: 1,
  };
  for await (const message of caller.stream(StateService.watch, request, spec, target)) {
    // The first message of a watch is empty: it only says the watch is established.
    for (const event of message.event) {
      if (event.eventType === EventType.UNRECOGNIZED) continue;
      const resource = toRawResource(event.resource);
      yield {
        type: eventTypeToJSON(event.eventType) as ResourceEventType,
        ...(resource ? { resource } : {}),
        ...(event.error ? { error: event.error } : {}),
      };
    }
  }
}
