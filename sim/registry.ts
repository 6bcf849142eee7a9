// A simulated image registry with limited capacity: concurrent pulls beyond a soft limit slow down, beyond a hard limit fail.
import { createHash } from "node:crypto";
import { INSTALLER_REPOSITORIES, INSTALLER_TAGS } from "./catalog";
import type { SimClock } from "./clock";

export interface RegistryOptions {
  /** Concurrent pulls served at full speed. */
  softLimit?: number;
  /** Concurrent pulls beyond which new pulls fail with 429 Too Many Requests. */
  hardLimit?: number;
  /** Simulated duration of an uncontended installer pull. */
  pullMs?: number;
}

export interface RegistryStats {
  active: number;
  peak: number;
  total: number;
  failed: number;
  softLimit: number;
  hardLimit: number;
}

export interface ParsedRef {
  repository: string;
  tag: string;
  digest?: string;
}

export interface LayerProgress {
  layerId: string;
  status: "DOWNLOADING" | "DOWNLOAD_COMPLETE" | "EXTRACTING" | "EXTRACT_COMPLETE";
  offset: number;
  total: number;
  elapsedMs: number;
}

export class RegistryError extends Error {}

const REF_RE =
  /^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;

/** Parses an image reference the way containerd's reference parser accepts it. */
export function parseImageRef(ref: string): ParsedRef {
  const m = REF_RE.exec(ref);
  if (!m || (!m[2] && !m[3]))
    throw new RegistryError(`failed to parse reference "${ref}": invalid reference format`);
  return { repository: m[1] ?? "", tag: m[2] ?? "", digest: m[3] };
}

/** The Talos tag an installer reference installs. */
export function installerTag(ref: string): string {
  return parseImageRef(ref).tag;
}

export class ImageRegistry {
  private readonly clock: SimClock;
  readonly softLimit: number;
  readonly hardLimit: number;
  private readonly pullMs: number;
  private active = 0;
  private peak = 0;
  private total = 0;
  private failed = 0;

  constructor(clock: SimClock, opts: RegistryOptions = {}) {
    this.clock = clock;
    this.softLimit = opts.softLimit ?? 10;
    this.hardLimit = opts.hardLimit ?? 25;
    this.pullMs = opts.pullMs ?? 12_000;
  }

  stats(): RegistryStats {
    return {
      active: this.active,
      peak: this.peak,
      total: this.total,
      failed: this.failed,
      softLimit: this.softLimit,
      hardLimit: this.hardLimit,
    };
  }

  resetStats(): void {
    this.peak = this.active;
    this.total = 0;
    this.failed = 0;
  }

  /** Checks that a reference names an installer image that exists; throws containerd-like errors. */
  resolve(ref: string): ParsedRef {
    const parsed = parseImageRef(ref);
    const known = INSTALLER_REPOSITORIES.some((re) => re.test(parsed.repository));
    if (!known || (parsed.tag && !INSTALLER_TAGS.has(parsed.tag))) {
      throw new RegistryError(`failed to resolve reference "${ref}": ${ref}: not found`);
    }
    return parsed;
  }

  /** Pulls an image, reporting layer progress; slower past the soft limit, refused past the hard limit. */
  async pull(ref: string, onProgress?: (p: LayerProgress) => void, signal?: AbortSignal): Promise<string> {
    this.resolve(ref);
    this.total++;
    if (this.active >= this.hardLimit) {
      this.failed++;
      const digest = createHash("sha256").update(ref).digest("hex");
      throw new RegistryError(
        `failed to pull image "${ref}": failed to copy: httpReadSeeker: failed open: unexpected status code https://${parsed(ref)}/blobs/sha256:${digest}: 429 Too Many Requests - Server message: toomanyrequests: retry-after: 1.5s, allowed: 44000/minute`,
      );
    }
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      const overload = Math.max(0, this.active - this.softLimit);
      const duration = this.pullMs * (1 + overload * 0.5);
      const layers = layersOf(ref);
      const started = Date.now();
      const steps = 4;
      for (const layer of layers) {
        for (let i = 1; i <= steps; i++) {
          await this.clock.sleep(duration / layers.length / (steps + 1), signal);
          onProgress?.({
            layerId: layer.id,
            status: "DOWNLOADING",
            offset: Math.floor((layer.size * i) / steps),
            total: layer.size,
            elapsedMs: Date.now() - started,
          });
        }
        onProgress?.({
          layerId: layer.id,
          status: "DOWNLOAD_COMPLETE",
          offset: layer.size,
          total: layer.size,
          elapsedMs: Date.now() - started,
        });
        await this.clock.sleep(duration / layers.length / (steps + 1), signal);
        onProgress?.({
          layerId: layer.id,
          status: "EXTRACTING",
          offset: 0,
          total: layer.size,
          elapsedMs: Date.now() - started,
        });
        onProgress?.({
          layerId: layer.id,
          status: "EXTRACT_COMPLETE",
          offset: layer.size,
          total: layer.size,
          elapsedMs: Date.now() - started,
        });
      }
      return ref;
    } finally {
      this.active--;
    }
  }
}

function parsed(ref: string): string {
  const { repository } = parseImageRef(ref);
  const [host, ...path] = repository.split("/");
  return `${host}/v2/${path.join("/")}`;
}

/** Deterministic layer list for an image reference. */
export function layersOf(ref: string): Array<{ id: string; size: number }> {
  const h = createHash("sha256").update(ref).digest();
  return [28_311_552, 61_865_984, 4_194_304].map((base, i) => ({
    id: `sha256:${createHash("sha256").update(`${ref}/${i}`).digest("hex")}`,
    size: base + (h[i] ?? 0) * 4096,
  }));
}
