// A cluster's kube-apiserver listener: a plain TCP listener on the endpoint address; the TLS server, its
// certificate and the cluster's objects are made on the first connection, so idle clusters cost one socket.
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type { SimCluster } from "../fleet";
import { handleKube } from "./api";
import type { KubeCluster } from "./cluster";
import { issueApiServerCert, type KubeCa } from "./pki";

export interface KubeServerDeps {
  ca(): Promise<KubeCa>;
  cluster(): KubeCluster;
}

export class KubeApiServer {
  private listener: NetServer | null = null;
  private https: Promise<HttpsServer> | null = null;
  private readonly sockets = new Set<Socket>();
  private starting: Promise<void> | null = null;
  port = 0;

  constructor(
    readonly cluster: SimCluster,
    private readonly deps: KubeServerDeps,
  ) {}

  get address(): string {
    return this.cluster.endpoint.address;
  }

  get url(): string {
    return `https://${this.address}:${this.port}`;
  }

  private tls(): Promise<HttpsServer> {
    this.https ??= (async () => {
      const ca = await this.deps.ca();
      const cert = await issueApiServerCert(ca, this.address);
      const server = createHttpsServer(
        {
          key: cert.keyPem,
          cert: cert.certPem,
          ca: ca.certPem,
          requestCert: true,
          rejectUnauthorized: false,
          minVersion: "TLSv1.2",
        },
        (req, res) => {
          const kc = this.deps.cluster();
          void handleKube(
            {
              cluster: kc,
              gitVersion: this.cluster.endpoint.kubernetesVersion,
              serverAddress: `${this.address}:${this.port}`,
            },
            req,
            res,
          );
        },
      );
      server.keepAliveTimeout = 60_000;
      return server;
    })();
    this.https.catch(() => {
      this.https = null;
    });
    return this.https;
  }

  /** Binds the listener; with port 0 the kernel picks one, which is returned. */
  async start(port: number = this.port): Promise<number> {
    const listener = createNetServer({ pauseOnConnect: true }, (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      this.tls().then(
        (server) => {
          if (socket.destroyed) return;
          server.emit("connection", socket);
          socket.resume();
        },
        (err: unknown) => {
          console.error(`talos-sim: kube-apiserver ${this.url}: ${(err as Error).message}`);
          socket.destroy();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(port, this.address, () => {
        listener.off("error", reject);
        resolve();
      });
    });
    const addr = listener.address();
    this.port = typeof addr === "object" && addr ? addr.port : port;
    this.listener = listener;
    return this.port;
  }

  /** Closes the listener and drops every connection (watches end), as a rebooting API server does. */
  stop(): void {
    this.listener?.close();
    this.listener = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Follows the endpoint node: down while it reboots, back when it is up again. */
  setUp(up: boolean): void {
    if (!up) {
      this.stop();
      return;
    }
    if (this.listener || this.starting) return;
    this.starting = this.start()
      .then(() => undefined)
      .catch((err) =>
        console.error(`talos-sim: cannot re-bind kube-apiserver ${this.url}: ${(err as Error).message}`),
      )
      .finally(() => {
        this.starting = null;
      });
  }
}
