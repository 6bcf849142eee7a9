// For tests: the secret values of a Talos machine configuration (at the fields the Talos reference marks
// secret), and the PEM text inside the base64 ones, to search outputs for.
import { parseConfigText } from "../features/drift/config-documents";

export function secretsOfConfig(text: string): { values: string[]; pems: string[] } {
  const doc = parseConfigText(text).documents[0]?.value as {
    machine: Record<string, unknown>;
    cluster: Record<string, unknown>;
  };
  const pair = (v: unknown) => {
    const p = v as { crt?: string; key?: string } | undefined;
    return [p?.crt, p?.key];
  };
  const c = doc.cluster;
  const values = [
    doc.machine.token,
    ...pair(doc.machine.ca),
    c.id,
    c.secret,
    c.token,
    c.secretboxEncryptionSecret,
    ...pair(c.ca),
    ...pair(c.aggregatorCA),
    (c.serviceAccount as { key?: string } | undefined)?.key,
    ...pair((c.etcd as { ca?: unknown } | undefined)?.ca),
  ].filter((v): v is string => typeof v === "string" && v !== "");
  const pems = values.flatMap((v) => {
    const decoded = Buffer.from(v, "base64").toString("utf8");
    return decoded.includes("-----BEGIN") ? decoded.split("\n").filter((l) => l.length > 20) : [];
  });
  return { values, pems };
}
