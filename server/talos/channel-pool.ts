// Caches one mTLS gRPC channel per (credentials, endpoint), with keepalive, reconnect backoff and safe retries.
import { createHash } from "node:crypto";
import { type ChannelCredentials, type ChannelOptions, Client, credentials } from "@grpc/grpc-js";
import type { TalosContext } from "./talosconfig";

/** Read-only Talos methods grpc-js may retry on UNAVAILABLE (writes are never retried). */
const RETRYABLE_METHODS: Record<string, string[]> = {
  "machine.MachineService": [
    "Version",
    "Hostname",
    "ServiceList",
    "LogsContainers",
    "EtcdStatus",
    "EtcdMemberList",
    "Memory",
    "SystemStat",
    "Containers",
  ],
  "cosi.resource.State": ["Get"],
};

const SERVICE_CONFIG = JSON.stringify({
  loadBalancingConfig: [{ pick_first: {} }],
  methodConfig: [
    {
      name: Object.entries(RETRYABLE_METHODS).flatMap(([service, methods]) =>
        methods.map((method) => ({ service, method })),
      ),
      retryPolicy: {
        maxAttempts: 3,
        initialBackoff: "0.2s",
        maxBackoff: "1s",
        backoffMultiplier: 2,
        retryableStatusCodes: ["UNAVAILABLE"],
      },
    },
  ],
});

export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  // As talosctl's action tracker: ping every 10 s while calls are open, give up after 5 s of silence.
  "grpc.keepalive_time_ms": 10_000,
  "grpc.keepalive_timeout_ms": 5_000,
  "grpc.keepalive_permit_without_calls": 0,
  "grpc.initial_reconnect_backoff_ms": 500,
  "grpc.max_reconnect_backoff_ms": 10_000,
  "grpc.enable_retries": 1,
  "grpc.service_config": SERVICE_CONFIG,
  // apid allows messages up to 32 MiB.
  "grpc.max_receive_message_length": 32 * 1024 * 1024,
  "grpc.max_send_message_length": 32 * 1024 * 1024,
};

export interface PooledChannel {
  endpoint: string;
  channel: ReturnType<Client["getChannel"]>;
  /** A generic client on the channel, used with generated method definitions. */
  client: Client;
}

/** Shared by every TalosClient of a process; close() when the process is done with Talos. */
export class ChannelPool {
  private readonly channels = new Map<string, PooledChannel>();
  private readonly creds = new Map<string, ChannelCredentials>();

  constructor(private readonly options: ChannelOptions = DEFAULT_CHANNEL_OPTIONS) {}

  get(context: TalosContext, endpoint: string): PooledChannel {
    const id = credentialsId(context);
    const key = `${id}|${endpoint}`;
    const cached = this.channels.get(key);
    if (cached) return cached;
    let creds = this.creds.get(id);
    if (!creds) {
      creds = credentials.createSsl(
        Buffer.from(context.caPem),
        Buffer.from(context.keyPem),
        Buffer.from(context.certPem),
      );
      this.creds.set(id, creds);
    }
    const client = new Client(endpoint, creds, this.options);
    const pooled = { endpoint, channel: client.getChannel(), client };
    this.channels.set(key, pooled);
    return pooled;
  }

  get size(): number {
    return this.channels.size;
  }

  /**
   * Closes the channels of one credential and forgets its TLS material (the credential was replaced or
   * removed). Calls still open on them are the callers' to cancel (TalosClient.retire does).
   */
  drop(context: TalosContext): void {
    const id = credentialsId(context);
    for (const [key, { client }] of this.channels) {
      if (!key.startsWith(`${id}|`)) continue;
      client.close();
      this.channels.delete(key);
    }
    this.creds.delete(id);
  }

  /** Closes every channel; open streams end with CANCELLED. */
  close(): void {
    for (const { client } of this.channels.values()) client.close();
    this.channels.clear();
    this.creds.clear();
  }
}

function credentialsId(context: TalosContext): string {
  return createHash("sha256").update(context.caPem).update(context.certPem).digest("hex").slice(0, 16);
}
