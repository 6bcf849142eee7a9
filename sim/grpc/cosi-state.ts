// cosi.resource.State as Talos serves it: read-only Get/List/Watch with Talos's access rules and watch protocol.
import { status, type UntypedServiceImplementation } from "@grpc/grpc-js";
import type { Resource } from "@/proto/generated/v1alpha1/resource";
import { EventType, type StateServer, type WatchResponse } from "@/proto/generated/v1alpha1/state";
import { isSensitiveType, resourceType, type SimResource } from "../cosi-resources";
import type { CallContext, Director } from "./director";
import { waitAbort } from "./log-stream";
import { isAdmin } from "./roles";
import { statusError } from "./status";

const S = "/cosi.resource.State/";

function toResource(namespace: string, type: string, r: SimResource): Resource {
  return {
    metadata: {
      namespace,
      type,
      id: r.id,
      version: r.version,
      owner: "",
      phase: "running",
      created: r.created,
      updated: r.updated,
      finalizers: [],
      labels: r.labels,
      annotations: {},
    },
    spec: { protoSpec: Buffer.from(r.protoSpec), yamlSpec: r.yamlSpec },
  };
}

function tombstone(namespace: string, type: string, id: string): Resource {
  return {
    metadata: {
      namespace,
      type,
      id,
      version: "0",
      owner: "",
      phase: "running",
      created: undefined,
      updated: undefined,
      finalizers: [],
      labels: {},
      annotations: {},
    },
    spec: undefined,
  };
}

/** Access rules: unknown types and sensitive types for non-admins are refused, namespaces must match. */
function access(namespace: string, type: string, ctx: CallContext) {
  if (isSensitiveType(type) && !isAdmin(ctx.roles))
    throw statusError(status.PERMISSION_DENIED, "not authorized");
  const def = resourceType(type);
  if (!def) throw statusError(status.PERMISSION_DENIED, `no resource definition for type "${type}"`);
  if (namespace !== def.namespace) {
    throw statusError(status.PERMISSION_DENIED, `namespace "${namespace}" is not allowed for type "${type}"`);
  }
  return def;
}

function notFound(namespace: string, type: string, id: string) {
  return statusError(status.NOT_FOUND, `resource ${type}(${namespace}/${id}@undefined) doesn't exist`);
}

function matchesId(id: string, query: { regexp: string } | undefined): boolean {
  return !query?.regexp || new RegExp(query.regexp).test(id);
}

const writeRefused = async () => {
  throw statusError(status.PERMISSION_DENIED, "write access is not allowed");
};

export function cosiState(d: Director): StateServer & UntypedServiceImplementation {
  return {
    get: d.unaryRaw(`${S}Get`, async (req, ctx) => {
      const def = access(req.namespace, req.type, ctx);
      const found = def.list(ctx.node, ctx.fleet).find((r) => r.id === req.id);
      if (!found) throw notFound(req.namespace, req.type, req.id);
      return { resource: toResource(req.namespace, req.type, found) };
    }),

    list: d.streamRaw(`${S}List`, async (req, ctx, send) => {
      const def = access(req.namespace, req.type, ctx);
      for (const r of def.list(ctx.node, ctx.fleet)) {
        if (matchesId(r.id, req.options?.idQuery)) send({ resource: toResource(req.namespace, req.type, r) });
      }
    }),

    watch: d.streamRaw(`${S}Watch`, async (req, ctx, send: (m: WatchResponse) => void) => {
      const def = access(req.namespace, req.type, ctx);
      const ns = req.namespace;
      const type = req.type;
      const byId = req.id !== undefined && req.id !== "";
      const filter = (r: SimResource) => (byId ? r.id === req.id : matchesId(r.id, req.options?.idQuery));
      const snapshot = () =>
        new Map(
          def
            .list(ctx.node, ctx.fleet)
            .filter(filter)
            .map((r) => [r.id, r]),
        );
      send({ event: [] });
      let current = snapshot();
      if (byId) {
        const r = current.get(req.id ?? "");
        send({
          event: [
            r
              ? { resource: toResource(ns, type, r), eventType: EventType.CREATED, old: undefined }
              : {
                  resource: tombstone(ns, type, req.id ?? ""),
                  eventType: EventType.DESTROYED,
                  old: undefined,
                },
          ],
        });
      } else if (req.options?.bootstrapContents) {
        for (const r of current.values())
          send({
            event: [{ resource: toResource(ns, type, r), eventType: EventType.CREATED, old: undefined }],
          });
        if (req.apiVersion >= 1)
          send({ event: [{ resource: undefined, eventType: EventType.BOOTSTRAPPED, old: undefined }] });
      }
      const poll = setInterval(
        () => {
          const next = snapshot();
          for (const [id, r] of next) {
            const before = current.get(id);
            if (!before)
              send({
                event: [{ resource: toResource(ns, type, r), eventType: EventType.CREATED, old: undefined }],
              });
            else if (before.yamlSpec !== r.yamlSpec || before.version !== r.version) {
              send({
                event: [
                  {
                    resource: toResource(ns, type, r),
                    eventType: EventType.UPDATED,
                    old: toResource(ns, type, before),
                  },
                ],
              });
            }
          }
          for (const [id, before] of current) {
            if (!next.has(id))
              send({
                event: [
                  { resource: toResource(ns, type, before), eventType: EventType.DESTROYED, old: undefined },
                ],
              });
          }
          current = next;
        },
        Math.max(50, ctx.fleet.clock.real(1000)),
      );
      try {
        await waitAbort(ctx.signal);
      } finally {
        clearInterval(poll);
      }
    }),

    create: d.unaryRaw(`${S}Create`, writeRefused),
    update: d.unaryRaw(`${S}Update`, writeRefused),
    destroy: d.unaryRaw(`${S}Destroy`, writeRefused),
  };
}
