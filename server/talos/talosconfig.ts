// Parses and validates talosconfig files: every context, its base64 PEM credentials, and the role it carries.
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { TalosconfigError } from "./errors";

export const TALOS_API_PORT = 50000;
const EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

/** One validated talosconfig context, ready to open mTLS channels with. */
export interface TalosContext {
  name: string;
  /** host:port, the port defaulting to 50000 as talosctl does. */
  endpoints: string[];
  /** Default target nodes (addresses without port); may be empty. */
  nodes: string[];
  caPem: string;
  certPem: string;
  /** PKCS#8 PEM with the standard `PRIVATE KEY` label Node accepts. */
  keyPem: string;
  /** Talos roles from the client certificate's Subject O (e.g. ["os:admin"]). */
  roles: string[];
  certNotBefore: Date;
  certNotAfter: Date;
}

export interface Talosconfig {
  /** The `context:` the file selects, if any. */
  currentContext?: string;
  contexts: TalosContext[];
}

export interface ParseOptions {
  /** The time certificates must be valid at (default: now). */
  now?: Date;
}

interface RawContext {
  endpoints?: unknown;
  nodes?: unknown;
  ca?: unknown;
  crt?: unknown;
  key?: unknown;
}

/** Parses a talosconfig YAML document and validates every context in it; throws TalosconfigError. */
export function parseTalosconfig(text: string, opts: ParseOptions = {}): Talosconfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const where = err instanceof Error ? err.message.split("\n")[0] : "";
    throw new TalosconfigError(
      `The talosconfig is not valid YAML (${where}). Export it again with \`talosctl config info\` or from the cluster's secrets and paste it whole.`,
      { cause: err },
    );
  }
  if (!isRecord(doc)) {
    throw new TalosconfigError(
      "The talosconfig is empty or not a YAML mapping. It should have `context:` and `contexts:` keys, as written by talosctl.",
    );
  }
  const contexts = doc.contexts;
  if (!isRecord(contexts) || Object.keys(contexts).length === 0) {
    throw new TalosconfigError(
      "The talosconfig has no contexts. It needs a `contexts:` map with at least one context (endpoints, ca, crt, key).",
    );
  }
  const currentContext = typeof doc.context === "string" && doc.context !== "" ? doc.context : undefined;
  if (currentContext !== undefined && !(currentContext in contexts)) {
    throw new TalosconfigError(
      `The talosconfig selects context "${currentContext}", but it has no context of that name (it has: ${Object.keys(contexts).join(", ")}). Fix \`context:\` or add the missing context.`,
      { context: currentContext },
    );
  }
  const now = opts.now ?? new Date();
  const parsed = Object.entries(contexts).map(([name, raw]) => validateContext(name, raw, now));
  return { currentContext, contexts: parsed };
}

/** Picks a context by name, else the file's current one, else the only one. */
export function selectContext(config: Talosconfig, name?: string): TalosContext {
  const wanted = name ?? config.currentContext;
  if (wanted === undefined) {
    const [only, ...rest] = config.contexts;
    if (only && rest.length === 0) return only;
    throw new TalosconfigError(
      `The talosconfig has several contexts (${config.contexts.map((c) => c.name).join(", ")}) and selects none. Say which one to use.`,
    );
  }
  const found = config.contexts.find((c) => c.name === wanted);
  if (!found) {
    throw new TalosconfigError(
      `The talosconfig has no context "${wanted}" (it has: ${config.contexts.map((c) => c.name).join(", ")}).`,
      { context: wanted },
    );
  }
  return found;
}

function validateContext(name: string, raw: unknown, now: Date): TalosContext {
  const fail = (message: string, cause?: unknown): never => {
    throw new TalosconfigError(`Context "${name}": ${message}`, { context: name, cause });
  };
  if (!isRecord(raw)) return fail("it is not a mapping with endpoints, ca, crt and key.");
  const ctx = raw as RawContext;

  const endpoints = stringList(ctx.endpoints);
  if (!endpoints || endpoints.length === 0) {
    return fail(
      "it lists no endpoints. Add the address of at least one control-plane node under `endpoints:`.",
    );
  }
  const nodes = stringList(ctx.nodes) ?? [];

  const caPem = decodePem(ctx.ca, "ca", "CERTIFICATE", fail);
  const certPem = decodePem(ctx.crt, "crt", "CERTIFICATE", fail);
  const talosKeyPem = decodePem(ctx.key, "key", "PRIVATE KEY", fail);
  const keyPem = talosKeyPem.replace(
    /-----(BEGIN|END) ED25519 PRIVATE KEY-----/g,
    "-----$1 PRIVATE KEY-----",
  );

  const ca = parseCertificate(caPem, "ca", fail);
  const cert = parseCertificate(certPem, "crt", fail);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    return fail(
      "`key` is not a private key Minos can read (expected a PEM Ed25519 key as talosctl writes it).",
      err,
    );
  }

  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) {
    fail(
      `the client certificate is not valid yet (valid from ${notBefore.toISOString()}). Check this server's clock, or issue a new certificate.`,
    );
  }
  if (now > notAfter) {
    fail(
      `the client certificate expired on ${notAfter.toISOString()}. Generate a new talosconfig (talosctl config new) and import it again.`,
    );
  }
  const caNotAfter = new Date(ca.validTo);
  if (now > caNotAfter) {
    fail(
      `the CA certificate expired on ${caNotAfter.toISOString()}. The cluster's CA must be rotated first.`,
    );
  }
  const eku = cert.keyUsage ?? [];
  if (eku.length !== 1 || eku[0] !== EKU_CLIENT_AUTH) {
    fail(
      `the client certificate's extended key usage must be exactly client authentication (Talos refuses any other); it has ${eku.length === 0 ? "none" : eku.map(ekuName).join(", ")}. Issue a client certificate with talosctl config new.`,
    );
  }
  if (!cert.checkPrivateKey(key)) {
    fail("`key` does not belong to the certificate in `crt`. Take crt and key from the same talosconfig.");
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    fail(
      "the client certificate was not issued by the CA in `ca`. Take ca, crt and key from the same talosconfig.",
    );
  }

  return {
    name,
    endpoints: endpoints.map(withDefaultPort),
    nodes,
    caPem,
    certPem,
    keyPem,
    roles: rolesOf(cert),
    certNotBefore: notBefore,
    certNotAfter: notAfter,
  };
}

/** Adds :50000 unless the endpoint has a port; IPv6 literals get brackets. */
export function withDefaultPort(endpoint: string): string {
  const trimmed = endpoint.trim().replace(/^https?:\/\//, "");
  if (/^\[.*\]:\d+$/.test(trimmed) || /^[^:]+:\d+$/.test(trimmed)) return trimmed;
  if (trimmed.startsWith("[")) return `${trimmed}:${TALOS_API_PORT}`;
  if (trimmed.includes(":")) return `[${trimmed}]:${TALOS_API_PORT}`;
  return `${trimmed}:${TALOS_API_PORT}`;
}

/** Talos roles are the Organization values of the certificate subject. */
export function rolesOf(cert: X509Certificate): string[] {
  return cert.subject
    .split("\n")
    .map((line) => line.match(/^O=(.*)$/)?.[1])
    .filter((v): v is string => v !== undefined && v !== "");
}

function decodePem(
  value: unknown,
  field: string,
  label: string,
  fail: (message: string, cause?: unknown) => never,
): string {
  if (typeof value !== "string" || value.trim() === "") {
    return fail(`\`${field}\` is missing. It must hold the base64-encoded PEM ${label.toLowerCase()}.`);
  }
  const compact = value.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
    return fail(
      `\`${field}\` is not valid base64. Copy the value again without truncating it (it is the base64 of a PEM block).`,
    );
  }
  const pem = Buffer.from(compact, "base64").toString("utf8");
  if (!pem.includes("-----BEGIN ") || !pem.includes(label)) {
    return fail(
      `\`${field}\` decodes, but not to a PEM ${label.toLowerCase()}. Check that ca, crt and key are not swapped.`,
    );
  }
  return pem;
}

function parseCertificate(
  pem: string,
  field: string,
  fail: (message: string, cause?: unknown) => never,
): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    return fail(`\`${field}\` is not a readable X.509 certificate.`, err);
  }
}

function ekuName(oid: string): string {
  const names: Record<string, string> = {
    "1.3.6.1.5.5.7.3.1": "server authentication",
    "1.3.6.1.5.5.7.3.2": "client authentication",
  };
  return names[oid] ?? oid;
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === "string" && v.trim() !== "").map((v) => v.trim());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
