// The Kubernetes PKI of a simulated cluster: its own CA (ECDSA P-256, O=kubernetes, as Talos's secrets bundle
// makes it), the API server's certificate and admin client certificates; the CA is kept in the state dir.
import "reflect-metadata";
import { createPrivateKey, webcrypto } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * DAY_MS;
/** Talos `secrets.CAValidityTime`: 10 years. */
const CA_LIFETIME_MS = 10 * YEAR_MS;
/** Talos `constants.KubernetesAdminCertDefaultLifetime`: 365 days. */
export const ADMIN_CERT_LIFETIME_MS = YEAR_MS;
/** Talos `kubeconfig.Generate` backdates the admin certificate by `allowedTimeSkew`. */
const ALLOWED_TIME_SKEW_MS = 10_000;

export interface KubeCa {
  cert: x509.X509Certificate;
  key: CryptoKey;
  certPem: string;
  /** SEC1 `EC PRIVATE KEY`, as Talos stores ECDSA keys. */
  keyPem: string;
}

export interface KubeCertPair {
  certPem: string;
  /** SEC1 `EC PRIVATE KEY` PEM. */
  keyPem: string;
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString("hex");
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function sec1Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" }).export({
    type: "sec1",
    format: "pem",
  }) as string;
}

/** A self-signed Kubernetes CA as Talos's `secrets.NewKubernetesCA`: ECDSA P-256, O=kubernetes, 10 years. */
export async function createKubeCa(): Promise<KubeCa> {
  const keys = await newKeys();
  const notBefore = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "O=kubernetes",
    notBefore,
    notAfter: new Date(notBefore.getTime() + CA_LIFETIME_MS),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert,
    key: keys.privateKey,
    certPem: cert.toString("pem"),
    keyPem: await sec1Pem(keys.privateKey),
  };
}

export async function loadKubeCa(certPem: string, keyPem: string): Promise<KubeCa> {
  const cert = new x509.X509Certificate(certPem);
  const der = createPrivateKey(keyPem).export({ type: "pkcs8", format: "der" });
  const key = await webcrypto.subtle.importKey("pkcs8", der, EC, true, ["sign"]);
  return { cert, key, certPem: cert.toString("pem"), keyPem };
}

/** File-system safe name of a cluster's CA files. */
function caBase(stateDir: string, cluster: string): string {
  return path.join(stateDir, "kube", cluster.replace(/[^A-Za-z0-9._-]/g, "_"));
}

/** The cluster's Kubernetes CA from the state dir, created on first use so restarts keep kubeconfigs valid. */
export async function loadOrCreateKubeCa(stateDir: string, cluster: string): Promise<KubeCa> {
  const base = caBase(stateDir, cluster);
  try {
    const [c, k] = await Promise.all([readFile(`${base}.crt`, "utf8"), readFile(`${base}.key`, "utf8")]);
    return await loadKubeCa(c, k);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const ca = await createKubeCa();
  await mkdir(path.dirname(base), { recursive: true });
  await writeFile(`${base}.key`, ca.keyPem, { mode: 0o600 });
  await writeFile(`${base}.crt`, ca.certPem);
  return ca;
}

async function issue(
  ca: KubeCa,
  subject: string,
  notBefore: Date,
  lifetimeMs: number,
  extensions: x509.Extension[],
): Promise<KubeCertPair> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: ca.cert.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + lifetimeMs),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...extensions,
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await sec1Pem(keys.privateKey) };
}

/** kube-apiserver's serving certificate: the endpoint address, loopback and the in-cluster service names. */
export function issueApiServerCert(ca: KubeCa, address: string): Promise<KubeCertPair> {
  const dns = [
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "localhost",
  ];
  const ips = [address, "127.0.0.1", "10.96.0.1"];
  return issue(ca, "CN=kube-apiserver", new Date(Date.now() - 60_000), YEAR_MS, [
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      ...dns.map((value) => ({ type: "dns" as const, value })),
      ...ips.map((value) => ({ type: "ip" as const, value })),
    ]),
  ]);
}

export interface KubeClientCertOptions {
  commonName?: string;
  organizations?: string[];
  lifetimeMs?: number;
}

/**
 * A client certificate as Talos's `kubeconfig.Generate`: CN=admin, O=system:masters, DigitalSignature +
 * KeyEncipherment, EKU ClientAuth, valid from 10 s ago for a year.
 */
export function issueKubeClientCert(ca: KubeCa, opts: KubeClientCertOptions = {}): Promise<KubeCertPair> {
  const orgs = opts.organizations ?? ["system:masters"];
  const subject = [...orgs.map((o) => `O=${o}`), `CN=${opts.commonName ?? "admin"}`].join(", ");
  return issue(
    ca,
    subject,
    new Date(Date.now() - ALLOWED_TIME_SKEW_MS),
    opts.lifetimeMs ?? ADMIN_CERT_LIFETIME_MS,
    [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  );
}
