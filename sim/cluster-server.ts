// One apid-like mTLS gRPC listener per cluster, on its endpoint address; it goes away while the endpoint node reboots.
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { ImageServiceService } from "@/proto/generated/machine/image";
import { LifecycleServiceService } from "@/proto/generated/machine/lifecycle";
import { MachineServiceService } from "@/proto/generated/machine/machine";
import { StateService } from "@/proto/generated/v1alpha1/state";
import type { SimCluster, SimFleet } from "./fleet";
import { cosiState } from "./grpc/cosi-state";
import { Director } from "./grpc/director";
import { imageService, lifecycleService } from "./grpc/image-lifecycle";
import { machineService } from "./grpc/machine-service";
import type { CertKeyPair } from "./pki";

const MAX_MESSAGE = 32 * 1024 * 1024;

export const SERVER_OPTIONS = {
  "grpc.max_receive_message_length": MAX_MESSAGE,
  "grpc.max_send_message_length": MAX_MESSAGE,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.http2.min_ping_interval_without_data_ms": 1000,
  "grpc-node.max_session_memory": 64,
};

export class ClusterServer {
  private server: Server | null = null;
  private starting: Promise<void> | null = null;

  constructor(
    private readonly fleet: SimFleet,
    readonly cluster: SimCluster,
    private readonly caPem: string,
    private readonly cert: CertKeyPair,
    public port: number,
  ) {}

  get endpoint(): string {
    return `${this.cluster.endpoint.address}:${this.port}`;
  }

  /** Binds the listener; with port 0 the kernel picks one, which is returned. */
  async start(port: number = this.port): Promise<number> {
    const server = new Server(SERVER_OPTIONS);
    const director = new Director(this.fleet, this.cluster);
    server.addService(MachineServiceService, machineService(director));
    server.addService(LifecycleServiceService, lifecycleService(director));
    server.addService(ImageServiceService, imageService(director));
    server.addService(StateService, cosiState(director));
    const creds = ServerCredentials.createSsl(
      Buffer.from(this.caPem),
      [{ private_key: Buffer.from(this.cert.keyPem), cert_chain: Buffer.from(this.cert.certPem) }],
      true,
    );
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.cluster.endpoint.address}:${port}`, creds, (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.server = server;
    return bound;
  }

  /** Drops every connection at once, as a rebooting apid does. */
  stop(): void {
    this.server?.forceShutdown();
    this.server = null;
  }

  /** Follows the endpoint node: down while it reboots, back when its apid starts. */
  setUp(up: boolean): void {
    if (!up) {
      this.stop();
      return;
    }
    if (this.server || this.starting) return;
    this.starting = this.start()
      .then(() => undefined)
      .catch((err) => console.error(`talos-sim: cannot re-bind ${this.endpoint}: ${(err as Error).message}`))
      .finally(() => {
        this.starting = null;
      });
  }
}
