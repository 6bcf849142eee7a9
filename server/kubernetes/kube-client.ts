// One cluster's Kubernetes API through the official client (@kubernetes/client-node): the few typed calls
// Minos makes (nodes, pods, disruption budgets, evictions), each with a deadline and cancellable, each
// failure a KubeError saying what was asked.
import { X509Certificate } from "node:crypto";
import { Agent as HttpsAgent } from "node:https";
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  PatchStrategy,
  PolicyV1Api,
  type RequestContext,
  type V1Node,
  type V1Pod,
  type V1PodDisruptionBudget,
  Watch,
} from "@kubernetes/client-node";
import { KubeError, kubeError } from "./errors";

/** Per-call limit when the caller gives none. */
const CALL_TIMEOUT_MS = 15_000;

export interface KubeCall {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** What a kubeconfig is, as far as Minos keeps it: where it points and until when its certificate holds. */
export interface KubeconfigFacts {
  server: string;
  /** The client certificate's end of validity; undefined when the kubeconfig authenticates otherwise. */
  certNotAfter?: Date;
  /** Who it authenticates as: the client certificate's CN, else the kubeconfig's user name. */
  identity: string;
  /** It runs a credential plugin (exec or auth-provider): a program on this machine, not data. */
  usesPlugin: boolean;
}

/**
 * A KubeConfig whose API calls share one keep-alive connection pool. The client builds a new https.Agent
 * for every request (a TLS handshake and the certificates parsed each time: about 5 ms of CPU a call);
 * a drain makes dozens of calls, a rollout thousands.
 */
class PooledKubeConfig extends KubeConfig {
  private agent: HttpsAgent | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    if (!(made instanceof HttpsAgent)) return; // a proxy or plain HTTP: as the client made it
    this.agent ??= new HttpsAgent({ ...made.options, keepAlive: true, maxSockets: 16 });
    made.destroy();
    context.setAgent(this.agent);
  }
}

/** Parses a kubeconfig, failing with what is wrong in it and what to do. */
export function loadKubeconfig(text: string): { config: KubeConfig; facts: KubeconfigFacts } {
  const config = new PooledKubeConfig();
  try {
    config.loadFromString(text);
  } catch (err) {
    throw new KubeError(
      `The kubeconfig cannot be read (${(err as Error).message.split("\n")[0]}). Give the file kubectl uses for this cluster.`,
      0,
      "Invalid",
    );
  }
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeError(
      "The kubeconfig names no current cluster with a server address. Set current-context to this cluster's context.",
      0,
      "Invalid",
    );
  }
  const user = config.getCurrentUser();
  const certData = user?.certData;
  let certNotAfter: Date | undefined;
  let identity = user?.name ?? "";
  if (certData) {
    try {
      const cert = new X509Certificate(Buffer.from(certData, "base64"));
      certNotAfter = new Date(cert.validTo);
      identity = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? identity;
    } catch {
      throw new KubeError("The kubeconfig's client certificate is not a valid certificate.", 0, "Invalid");
    }
  }
  const usesPlugin = user?.exec !== undefined || user?.authProvider !== undefined;
  return { config, facts: { server: cluster.server, certNotAfter, identity, usesPlugin } };
}

export type WatchEvent<T> = { type: "ADDED" | "MODIFIED" | "DELETED"; object: T };

export class KubeClient {
  readonly facts: KubeconfigFacts;
  private readonly config: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly policy: PolicyV1Api;
  private readonly authz: AuthorizationV1Api;

  constructor(kubeconfig: string) {
    const { config, facts } = loadKubeconfig(kubeconfig);
    this.facts = facts;
    this.config = config;
    this.core = config.makeApiClient(CoreV1Api);
    this.policy = config.makeApiClient(PolicyV1Api);
    this.authz = config.makeApiClient(AuthorizationV1Api);
  }

  /** Whether this kubeconfig's identity may do `verb` on the resource (a SelfSubjectAccessReview). */
  async may(
    a: { verb: string; resource: string; group?: string; subresource?: string },
    c: KubeCall = {},
  ): Promise<boolean> {
    const review = await this.run(`Asking whether it may ${a.verb} ${a.resource}`, c, (o) =>
      this.authz.createSelfSubjectAccessReview(
        {
          body: {
            spec: {
              resourceAttributes: {
                verb: a.verb,
                resource: a.resource,
                group: a.group ?? "",
                ...(a.subresource ? { subresource: a.subresource } : {}),
              },
            },
          },
        },
        o,
      ),
    );
    return review.status?.allowed === true;
  }

  /** Every node, and the list's resourceVersion to watch from. */
  listNodesAt(c: KubeCall = {}): Promise<{ items: V1Node[]; resourceVersion: string }> {
    return this.run("Listing nodes", c, async (o) => {
      const list = await this.core.listNode({}, o);
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? "" };
    });
  }

  /**
   * Watches nodes from `resourceVersion` until the server ends the watch, `signal` aborts, or it fails;
   * resolves with the last resourceVersion seen (to resume from), rejects with a KubeError (410 Gone: list
   * again).
   */
  async watchNodes(
    resourceVersion: string,
    onEvent: (e: WatchEvent<V1Node>) => void,
    signal: AbortSignal,
  ): Promise<string> {
    let last = resourceVersion;
    let failure: unknown;
    const ended = new Promise<void>((resolve) => {
      void new Watch(this.config)
        .watch(
          "/api/v1/nodes",
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
          (type, object: V1Node & { code?: number; reason?: string; message?: string }) => {
            if (type === "ERROR") {
              failure = new KubeError(
                `Watching nodes failed: ${object.message ?? "error"}`,
                object.code ?? 0,
                object.reason ?? "",
              );
              return;
            }
            last = object.metadata?.resourceVersion ?? last;
            if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") onEvent({ type, object });
          },
          (err) => {
            if (err && !failure) failure = kubeError("Watching nodes", err);
            resolve();
          },
        )
        .then((controller) => {
          const stop = () => {
            controller.abort();
            resolve();
          };
          if (signal.aborted) stop();
          else signal.addEventListener("abort", stop, { once: true });
        })
        .catch((err) => {
          failure = kubeError("Watching nodes", err);
          resolve();
        });
    });
    await ended;
    if (failure && !signal.aborted) throw failure;
    return last;
  }

  getNode(name: string, c: KubeCall = {}): Promise<V1Node> {
    return this.run(`Reading node ${name}`, c, (o) => this.core.readNode({ name }, o));
  }

  listNodes(c: KubeCall = {}): Promise<V1Node[]> {
    return this.run("Listing nodes", c, async (o) => (await this.core.listNode({}, o)).items);
  }

  /** A JSON merge patch of a node (RFC 7386: null removes a field). */
  patchNode(name: string, patch: object, c: KubeCall = {}): Promise<V1Node> {
    return this.run(`Updating node ${name}`, c, (o) =>
      this.core.patchNode({ name, body: patch }, withHeader(o, "Content-Type", PatchStrategy.MergePatch)),
    );
  }

  /** Pods bound to a node, across namespaces. */
  podsOnNode(node: string, c: KubeCall = {}): Promise<V1Pod[]> {
    return this.run(
      `Listing the pods of node ${node}`,
      c,
      async (o) =>
        (await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }, o)).items,
    );
  }

  listPods(c: KubeCall & { fieldSelector?: string } = {}): Promise<V1Pod[]> {
    return this.run(
      "Listing pods",
      c,
      async (o) => (await this.core.listPodForAllNamespaces({ fieldSelector: c.fieldSelector }, o)).items,
    );
  }

  /** The pod, or undefined once it is gone. */
  async getPod(namespace: string, name: string, c: KubeCall = {}): Promise<V1Pod | undefined> {
    try {
      return await this.run(`Reading pod ${namespace}/${name}`, c, (o) =>
        this.core.readNamespacedPod({ namespace, name }, o),
      );
    } catch (err) {
      if (err instanceof KubeError && err.code === 404) return undefined;
      throw err;
    }
  }

  listDisruptionBudgets(c: KubeCall = {}): Promise<V1PodDisruptionBudget[]> {
    return this.run(
      "Listing pod disruption budgets",
      c,
      async (o) => (await this.policy.listPodDisruptionBudgetForAllNamespaces({}, o)).items,
    );
  }

  /**
   * Asks the API to evict a pod (policy/v1 Eviction): the API server checks the pod's disruption budgets
   * and answers 429 when one forbids it. Throws KubeError (404 when the pod is already gone).
   */
  async evict(namespace: string, name: string, c: KubeCall = {}): Promise<void> {
    await this.run(`Evicting pod ${namespace}/${name}`, c, (o) =>
      this.core.createNamespacedPodEviction(
        {
          namespace,
          name,
          body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } },
        },
        o,
      ),
    );
  }

  private async run<T>(what: string, c: KubeCall, call: (options: CallOptions) => Promise<T>): Promise<T> {
    const signal = AbortSignal.any([
      AbortSignal.timeout(c.timeoutMs ?? CALL_TIMEOUT_MS),
      ...(c.signal ? [c.signal] : []),
    ]);
    try {
      return await call({ middleware: [signalMiddleware(signal)], middlewareMergeStrategy: "append" });
    } catch (err) {
      if (signal.aborted && !c.signal?.aborted) {
        throw new KubeError(
          `${what} failed: the Kubernetes API at ${this.facts.server} did not answer within ${Math.round((c.timeoutMs ?? CALL_TIMEOUT_MS) / 1000)} s`,
          0,
          "Timeout",
        );
      }
      throw kubeError(what, err);
    }
  }
}

interface CallOptions {
  middleware: ReturnType<typeof signalMiddleware>[];
  middlewareMergeStrategy: "append";
}

/** Client middleware that ties the request to a signal (the generated API has no other way). */
function signalMiddleware(signal: AbortSignal) {
  return {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(signal);
      return new Observable(Promise.resolve(ctx));
    },
    post: <R>(response: R) => new Observable(Promise.resolve(response)),
  };
}

function withHeader(o: CallOptions, key: string, value: string): CallOptions {
  return {
    middleware: [
      ...o.middleware,
      {
        pre: (ctx: RequestContext) => {
          ctx.setHeaderParam(key, value);
          return new Observable(Promise.resolve(ctx));
        },
        post: <R>(response: R) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: "append" as const,
  };
}
