// Talos-shaped PKI for the simulator and its tests: Ed25519 CA, apid server certs, role client certs, talosconfig.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import * as x509 from "@peculiar/x509";
import { stringify } from "yaml";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ED25519 = { name: "Ed25519" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * DAY_MS;

export const EKU_SERVER_AUTH = x509.ExtendedKeyUsage.serverAuth;
export const EKU_CLIENT_AUTH = x509.ExtendedKeyUsage.clientAuth;

export type TalosRole =
  | "os:admin"
  | "os:operator"
  | "os:reader"
  | "os:etcd:backup"
  | "os:image:verifier"
  | "os:meta:writer"
  | "os:impersonator";

/** A certificate and its private key, both PEM; the key is PKCS#8 with the standard `PRIVATE KEY` header. */
export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthority extends CertKeyPair {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

export interface ValidityOptions {
  notBefore?: Date;
  notAfter?: Date;
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // keep the serial positive
  return Buffer.from(bytes).toString("hex");
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function pemBody(text: string): Buffer {
  const body = text.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, "").replace(/\s+/g, "");
  return Buffer.from(body, "base64");
}

async function newKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return pem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", key));
}

/** Talos writes Ed25519 keys with a non-standard PEM label; this is what goes into a talosconfig. */
export function toTalosKeyPem(keyPem: string): string {
  return keyPem.replace(/-----(BEGIN|END) [A-Z0-9 ]*PRIVATE KEY-----/g, "-----$1 ED25519 PRIVATE KEY-----");
}

/** Node/OpenSSL refuse the `ED25519 PRIVATE KEY` label: rewrite it to the standard one. */
export function toNodeKeyPem(keyPem: string): string {
  return keyPem.replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, "-----$1 PRIVATE KEY-----");
}

/** Creates a self-signed Ed25519 CA like Talos's: O=talos, 10 years, CertSign+DigitalSignature, EKU server+client. */
export async function createCa(
  opts: ValidityOptions & { organization?: string } = {},
): Promise<CertificateAuthority> {
  const keys = await newKeyPair();
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `O=${opts.organization ?? "talos"}`,
    notBefore,
    notAfter: opts.notAfter ?? new Date(notBefore.getTime() + 10 * YEAR_MS),
    keys,
    signingAlgorithm: ED25519,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([EKU_SERVER_AUTH, EKU_CLIENT_AUTH]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert,
    key: keys.privateKey,
    certPem: cert.toString("pem"),
    keyPem: await exportKeyPem(keys.privateKey),
  };
}

/** Loads a CA from PEM text (either key label is accepted). */
export async function loadCa(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(certPem);
  const der = pemBody(keyPem);
  const key = await webcrypto.subtle.importKey("pkcs8", der, ED25519, true, ["sign"]);
  return { cert, key, certPem: cert.toString("pem"), keyPem: toNodeKeyPem(keyPem) };
}

/** Reads the CA kept in the state dir, creating it on first run so restarts keep credentials valid. */
export async function loadOrCreateCa(stateDir: string): Promise<CertificateAuthority> {
  const certPath = path.join(stateDir, "ca.crt");
  const keyPath = path.join(stateDir, "ca.key");
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
    return await loadCa(certPem, keyPem);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const ca = await createCa();
  await mkdir(stateDir, { recursive: true });
  await writeFile(keyPath, ca.keyPem, { mode: 0o600 });
  await writeFile(certPath, ca.certPem);
  return ca;
}

async function issue(
  ca: CertificateAuthority,
  subject: string,
  validity: ValidityOptions,
  defaultLifetimeMs: number,
  extensions: x509.Extension[],
): Promise<CertKeyPair> {
  const keys = await newKeyPair();
  const notBefore = validity.notBefore ?? new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: ca.cert.subject,
    notBefore,
    notAfter: validity.notAfter ?? new Date(notBefore.getTime() + defaultLifetimeMs),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ED25519,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...extensions,
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await exportKeyPem(keys.privateKey) };
}

export interface ServerCertOptions extends ValidityOptions {
  ips: string[];
  dnsNames?: string[];
  /** Override the EKU list (default: exactly ServerAuth). */
  extKeyUsage?: string[];
}

/** An apid-style server certificate: Ed25519, EKU ServerAuth, IP SANs for every address it answers on. */
export async function issueServerCert(
  ca: CertificateAuthority,
  opts: ServerCertOptions,
): Promise<CertKeyPair> {
  const names: x509.JsonGeneralNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...opts.ips.map((value) => ({ type: "ip" as const, value })),
  ];
  return issue(ca, `CN=${opts.dnsNames?.[0] ?? opts.ips[0] ?? "apid"}`, opts, YEAR_MS, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(opts.extKeyUsage ?? [EKU_SERVER_AUTH]),
    new x509.SubjectAlternativeNameExtension(names),
  ]);
}

export interface ClientCertOptions extends ValidityOptions {
  /** The Talos role carried in Subject O (default os:admin). */
  role?: TalosRole | string;
  /** Several organizations (roles) at once; overrides `role`. */
  organizations?: string[];
  commonName?: string;
  /** Override the EKU list (default: exactly ClientAuth, as apid demands). */
  extKeyUsage?: string[];
}

/** A talosctl-style client certificate: O=<role>, DigitalSignature, EKU exactly ClientAuth, 1 year. */
export async function issueClientCert(
  ca: CertificateAuthority,
  opts: ClientCertOptions = {},
): Promise<CertKeyPair> {
  const orgs = opts.organizations ?? [opts.role ?? "os:admin"];
  const subject = [...orgs.map((o) => `O=${o}`), `CN=${opts.commonName ?? "admin"}`].join(", ");
  return issue(ca, subject, opts, YEAR_MS, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(opts.extKeyUsage ?? [EKU_CLIENT_AUTH]),
  ]);
}

export interface TalosconfigContext {
  name: string;
  endpoints: string[];
  nodes?: string[];
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Renders a talosconfig: base64 PEM ca/crt/key, the key with Talos's `ED25519 PRIVATE KEY` label. */
export function renderTalosconfig(contexts: TalosconfigContext[], current?: string): string {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  const doc = {
    context: current ?? contexts[0]?.name ?? "",
    contexts: Object.fromEntries(
      contexts.map((c) => [
        c.name,
        {
          endpoints: c.endpoints,
          ...(c.nodes && c.nodes.length > 0 ? { nodes: c.nodes } : {}),
          ca: b64(c.caPem),
          crt: b64(c.certPem),
          key: b64(toTalosKeyPem(c.keyPem)),
        },
      ]),
    ),
  };
  return stringify(doc, { lineWidth: 0 });
}

/** Writes a talosconfig file (mode 0600, like talosctl) and returns its text. */
export async function writeTalosconfig(
  file: string,
  contexts: TalosconfigContext[],
  current?: string,
): Promise<string> {
  const text = renderTalosconfig(contexts, current);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, { mode: 0o600 });
  return text;
}
