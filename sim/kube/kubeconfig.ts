// The admin kubeconfig Talos hands out through MachineService.Kubeconfig, and the .tar.gz it is wrapped in.
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { stringify } from "yaml";
import type { KubeCertPair } from "./pki";

export interface KubeconfigInput {
  cluster: string;
  server: string;
  caPem: string;
  client: KubeCertPair;
  /** The user's name (Talos's kubeconfig: admin). */
  user?: string;
}

/**
 * The kubeconfig of Talos's `kubeconfig.GenerateAdmin` (pkg/kubeconfig/generate.go) as client-go's
 * `clientcmd.Write` serialises it: cluster `<name>`, user and context `admin@<name>`, namespace default.
 */
export function renderKubeconfig(k: KubeconfigInput): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const id = `${k.user ?? "admin"}@${k.cluster}`;
  return stringify(
    {
      apiVersion: "v1",
      clusters: [
        { cluster: { "certificate-authority-data": b64(k.caPem), server: k.server }, name: k.cluster },
      ],
      contexts: [{ context: { cluster: k.cluster, namespace: "default", user: id }, name: id }],
      "current-context": id,
      kind: "Config",
      preferences: {},
      users: [
        {
          name: id,
          user: { "client-certificate-data": b64(k.client.certPem), "client-key-data": b64(k.client.keyPem) },
        },
      ],
    },
    { lineWidth: 0 },
  );
}

/**
 * The bytes machined sends: gzip of a tar with one regular file `kubeconfig` (mode 0600). machined's
 * tar.Writer is never closed (only the gzip writer is), so the archive ends right after the file's
 * content: no padding to 512 bytes, no end-of-archive blocks. Go's tar reader takes that as a clean end.
 */
export async function kubeconfigTarGz(text: string): Promise<Buffer> {
  const content = Buffer.from(text);
  const p = pack();
  p.entry(
    { name: "kubeconfig", size: content.length, mode: 0o600, mtime: new Date(), type: "file" },
    content,
  );
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  const tar = Buffer.concat(chunks).subarray(0, 512 + content.length);
  return gzipSync(tar);
}
