// Test helpers for the simulated Kubernetes: the kubeconfig through Talos's Kubeconfig RPC, clients, waiting.
import { gunzipSync } from "node:zlib";
import type { ServiceError } from "@grpc/grpc-js";
import { AppsV1Api, CoreV1Api, KubeConfig, PolicyV1Api } from "@kubernetes/client-node";
import type { Data } from "@/proto/generated/common/common";
import { type Clients, collect, md } from "../test-helpers";

export interface TarEntry {
  name: string;
  mode: number;
  type: string;
  content: string;
}

/** Reads ustar entries until the data ends (machined's archive has no padding or end-of-archive blocks). */
export function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, b: number) => h.subarray(a, b).toString("latin1").replace(/\0.*$/s, "").trim();
    const size = Number.parseInt(str(124, 136) || "0", 8);
    out.push({
      name: str(0, 100),
      mode: Number.parseInt(str(100, 108) || "0", 8),
      type: str(156, 157) || "0",
      content: buf.subarray(off + 512, off + 512 + size).toString("utf8"),
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** MachineService.Kubeconfig on `node` (the endpoint by default): the archive's entries, or the gRPC error. */
export async function talosKubeconfig(
  c: Clients,
  node?: string,
): Promise<{ err: ServiceError | null; messages: number; entries: TarEntry[] }> {
  const stream = c.machine.kubeconfig({}, md(node ? { node } : {}));
  const { msgs, err } = await collect(stream as never as Parameters<typeof collect<Data>>[0]);
  const bytes = Buffer.concat((msgs as Data[]).map((m) => Buffer.from(m.bytes)));
  return { err, messages: msgs.length, entries: bytes.length > 0 ? readTar(gunzipSync(bytes)) : [] };
}

export function kubeClients(kubeconfig: string) {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    policy: kc.makeApiClient(PolicyV1Api),
    apps: kc.makeApiClient(AppsV1Api),
  };
}

/** Polls `check` every 20 ms until it returns a value (not undefined/false) or the time is up. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The body of a client-node ApiException as a metav1.Status. */
export function statusBody(err: unknown): {
  code?: number;
  reason?: string;
  message?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
} {
  const body = (err as { body?: unknown }).body;
  return typeof body === "string" ? JSON.parse(body) : (body as object);
}
