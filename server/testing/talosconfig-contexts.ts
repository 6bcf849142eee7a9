// Test fixtures: talosconfig contexts issued by the simulator's PKI, and ways to find a key in text.
import {
  type CertificateAuthority,
  type ClientCertOptions,
  createCa,
  issueClientCert,
  type TalosconfigContext,
  toTalosKeyPem,
} from "@/sim";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A context for `ca` with a client certificate of `role`, valid for `days` from now (default 365). */
export async function talosContext(
  ca: CertificateAuthority,
  name: string,
  opts: ClientCertOptions & { days?: number; endpoints?: string[] } = {},
): Promise<TalosconfigContext> {
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = opts.notAfter ?? new Date(Date.now() + (opts.days ?? 365) * DAY_MS);
  const pair = await issueClientCert(ca, { ...opts, notBefore, notAfter });
  return { name, endpoints: opts.endpoints ?? ["127.0.0.1"], caPem: ca.certPem, ...pair };
}

export { createCa };

/** Forms a private key could take in stored or logged text: its PEM body, hex of PEM and DER, and
 * the base64 of the PEM as a talosconfig holds it. */
export function keyNeedles(keyPem: string): string[] {
  const body = keyPem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, "").replace(/\s+/g, "");
  const firstLine = keyPem.split("\n").find((l) => l !== "" && !l.startsWith("-----")) ?? body;
  return [
    body,
    firstLine,
    Buffer.from(body, "base64").toString("hex"),
    Buffer.from(keyPem).toString("hex"),
    Buffer.from(keyPem).toString("base64"),
    Buffer.from(toTalosKeyPem(keyPem)).toString("base64"),
  ];
}

/** The needles found in `haystack` (expected: none). */
export function leaked(haystack: string, keyPems: string[]): string[] {
  return keyPems.flatMap(keyNeedles).filter((n) => haystack.includes(n));
}
