// One cluster's object store: a resourceVersion counter shared by every kind, objects by kind and key,
// and a bounded history of changes that watches replay from a resourceVersion (as the watch cache does).
import { type KubeObject, keyOf } from "./objects";

export type Resource =
  | "nodes"
  | "pods"
  | "namespaces"
  | "daemonsets"
  | "replicasets"
  | "deployments"
  | "statefulsets"
  | "poddisruptionbudgets";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  resource: Resource;
  type: EventType;
  object: KubeObject;
  /** The object before a MODIFIED (to tell a watch whose filter it left or entered). */
  old?: KubeObject;
  rv: number;
}

export type Listener = (e: StoreEvent) => void;

/** Events kept for watches that resume from a resourceVersion (the watch cache keeps a window too). */
const HISTORY = 2000;

export class ResourceExpiredError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    // storage.NewTooLargeResourceVersionError's sibling in the watch cache: "too old resource version: %d (%d)"
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export class Store {
  /** The cluster's etcd revision: every write takes the next one. */
  rv: number;
  private readonly objects = new Map<Resource, Map<string, KubeObject>>();
  private history: StoreEvent[] = [];
  /** Events at or below this revision were dropped from the history. */
  private compacted: number;
  private readonly listeners = new Set<Listener>();

  constructor(startRv: number) {
    this.rv = startRv;
    this.compacted = startRv;
  }

  private map(resource: Resource): Map<string, KubeObject> {
    let m = this.objects.get(resource);
    if (!m) {
      m = new Map();
      this.objects.set(resource, m);
    }
    return m;
  }

  get(resource: Resource, key: string): KubeObject | undefined {
    return this.objects.get(resource)?.get(key);
  }

  list(resource: Resource): KubeObject[] {
    return [...(this.objects.get(resource)?.values() ?? [])];
  }

  /** Creates or replaces an object (a new revision); returns the stored object. */
  put(resource: Resource, obj: KubeObject): KubeObject {
    const key = keyOf(obj);
    const old = this.map(resource).get(key);
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    this.map(resource).set(key, obj);
    this.emit({ resource, type: old ? "MODIFIED" : "ADDED", object: obj, old, rv: this.rv });
    return obj;
  }

  /**
   * Changes an object through a copy (stored objects are never mutated, so events keep their snapshot).
   * Callers change something: each call is a new revision.
   */
  update(resource: Resource, key: string, change: (draft: KubeObject) => void): KubeObject | undefined {
    const cur = this.map(resource).get(key);
    if (!cur) return undefined;
    const draft = JSON.parse(JSON.stringify(cur)) as KubeObject;
    change(draft);
    return this.put(resource, draft);
  }

  remove(resource: Resource, key: string): KubeObject | undefined {
    const cur = this.map(resource).get(key);
    if (!cur) return undefined;
    this.map(resource).delete(key);
    this.rv++;
    const gone = structuredClone(cur);
    gone.metadata.resourceVersion = String(this.rv);
    this.emit({ resource, type: "DELETED", object: gone, rv: this.rv });
    return gone;
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > HISTORY * 1.25) {
      const drop = this.history.length - HISTORY;
      this.compacted = this.history[drop - 1]?.rv ?? this.compacted;
      this.history = this.history.slice(drop);
    }
    for (const l of this.listeners) l(e);
  }

  /** Events after `rv` (for a watch resuming there); ResourceExpiredError when they were already dropped. */
  since(rv: number): StoreEvent[] {
    if (rv < this.compacted) throw new ResourceExpiredError(rv, this.compacted + 1);
    return this.history.filter((e) => e.rv > rv);
  }

  /** Drops the history (after the initial objects are made: nobody can resume from before them). */
  compact(): void {
    this.history = [];
    this.compacted = this.rv;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
