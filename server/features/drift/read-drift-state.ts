// Reads what drift needs from one machine over the Talos API: system extensions and schematic (id and contents,
// ExtensionStatuses), kernel arguments (KernelCmdlines) and, with an os:admin credential only, the machine
// configuration (MachineConfigs), redacted and normalised here, before anything leaves this function.
import { createHmac } from "node:crypto";
import { Layer } from "@/proto/generated/resource/definitions/extensions/extensions";
import { KernelCmdlineSpec } from "@/proto/generated/resource/definitions/runtime/runtime";
import { type CallTarget, type TalosClient, TalosError } from "../../talos";
import { readExtensions, readKernelArgs } from "./actual-state";
import { type ConfigDocument, parseConfigText } from "./config-documents";
import { normaliseDocuments } from "./normalise";
import { redactDocuments } from "./redact";
import type { SchematicContents } from "./schematic";

export interface DriftReading {
  extensions: string[] | null;
  schematicId: string | null;
  /** The schematic's contents, normalised (server/features/drift/schematic.ts); null when not reported. */
  schematic: SchematicContents | null;
  kernelArgs: string[] | null;
  config: ConfigDocument[] | null;
  configUnknownReason: string | null;
}

const EXTENSION_STATUSES = { namespace: "runtime", type: "ExtensionStatuses.runtime.talos.dev" };
const KERNEL_CMDLINE = { namespace: "runtime", type: "KernelCmdlines.runtime.talos.dev" };

export const NEEDS_ADMIN = "unknown: needs admin credential";

/** A keyed digest of a secret, so a rotated secret shows as changed without being revealed. */
export function secretDigest(key: Buffer): (secret: string) => string {
  return (secret) => `hmac:${createHmac("sha256", key).update(secret).digest("hex").slice(0, 12)}`;
}

/** Older Talos versions do not know a resource type: PermissionDenied/NotFound then mean "not reported". */
function notReported(err: unknown): boolean {
  return err instanceof TalosError && (err.kind === "permission-denied" || err.kind === "not-found");
}

export async function readDriftState(opts: {
  client: TalosClient;
  /** A client with an os:admin credential for the configuration; without one, why not. */
  admin: { client?: TalosClient; reason?: string };
  target: CallTarget;
  digest?: (secret: string) => string;
}): Promise<DriftReading> {
  const { client, target } = opts;
  const [extensions, kernel, config] = await Promise.all([
    client.listResources(EXTENSION_STATUSES, target).then((list) =>
      readExtensions(
        list.map((r) => {
          const m = Layer.decode(r.protoSpec).metadata;
          return { name: m?.name ?? "", version: m?.version ?? "", extraInfo: m?.extraInfo ?? "" };
        }),
      ),
    ),
    client
      .getResource(KERNEL_CMDLINE, "cmdline", target)
      .then((r) => readKernelArgs(KernelCmdlineSpec.decode(r.protoSpec).cmdline))
      .catch((err: unknown) => {
        if (notReported(err)) return null;
        throw err;
      }),
    opts.admin.client ? readConfig(opts.admin.client, target, opts.digest) : null,
  ]);
  return {
    extensions: extensions.extensions,
    schematicId: extensions.schematicId,
    schematic: extensions.schematic,
    kernelArgs: kernel,
    config,
    configUnknownReason: config ? null : (opts.admin.reason ?? NEEDS_ADMIN),
  };
}

async function readConfig(
  admin: TalosClient,
  target: CallTarget,
  digest?: (secret: string) => string,
): Promise<ConfigDocument[]> {
  const text = await admin.machineConfig(target);
  const { documents } = parseConfigText(text);
  // redact first: nothing below this line sees a secret
  return normaliseDocuments(redactDocuments(documents, { digest }));
}
