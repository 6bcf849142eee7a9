// One machine's part of a log view: holds the gRPC stream to the node (through its cluster's
// endpoint), feeds whole, bounded, timed lines to the session, reports its state in words, and
// reconnects after an unreachable or rebooting node, resuming after the last line it passed on.
import { type TalosClient, TalosCredentialRetiredError } from "../../talos";
import { boundedLine } from "./line-text";
import { lineTime } from "./line-time";
import type { LogSession } from "./log-session";
import { findAnchor, RecentLines } from "./resume-id";
import { classifyFailure } from "./stream-errors";

/** Lines asked for when a stream reopens, to find where it stopped. */
export const RESUME_TAIL = 2_000;
/** The node's backlog is taken as complete after this long without a line. */
const QUIET_MS = 200;
/** Kernel records held while looking for the end of the node's ring. */
const KERNEL_HOLD = 20_000;
const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 10_000];

export interface MachineTarget {
  index: number;
  id: string;
  hostname: string;
  /** The address Minos targets with `node` metadata. */
  address: string;
}

export interface MachineStreamOptions {
  target: MachineTarget;
  /** A log id of the machine (LogsContainers), or "kernel" for Dmesg. */
  source: string;
  tailLines: number;
  follow: boolean;
  session: LogSession;
  signal: AbortSignal;
  /** Opens the Talos client for the machine's cluster (read credential). */
  client: () => Promise<TalosClient>;
  /** The machine's stage as last collected, to tell "rebooting" from "unreachable". */
  stage: () => Promise<string | undefined>;
  /** Resume after the line this anchor ends on (from the client's lastEventId). */
  anchor?: string;
  /** Called when a node stream opens and closes (for metrics and tests). */
  onOpen?: (open: boolean) => void;
}

const plural = (n: number, w: string) => `${n.toLocaleString("en-US")} ${w}${n === 1 ? "" : "s"}`;

export async function runMachineStream(o: MachineStreamOptions): Promise<void> {
  const { target, session, signal } = o;
  const m = target.index;
  const recent = new RecentLines();
  let anchor = o.anchor;
  let failures = 0;
  let everStreamed = false;

  // A line's time: its own timestamp, else the previous line's (continuations, stack traces), else
  // its arrival; never earlier than the line before, so the browser's merge keeps this machine's order.
  let floor: number | undefined;
  const emit = (raw: string) => {
    const text = boundedLine(raw);
    recent.push(text);
    const own = lineTime(text);
    let t: number;
    if (own === undefined) t = floor ?? Date.now();
    else t = floor !== undefined && own < floor ? floor : own;
    if (own !== undefined) floor = t;
    session.pushLine(m, t, text);
  };

  while (!signal.aborted) {
    session.setState(m, "connecting", failures ? "reconnecting…" : "connecting…");
    const resuming = anchor !== undefined;
    let received = 0;
    let opened = false;
    try {
      const talos = await o.client();
      const kernel = o.source === "kernel";
      const lines = kernel
        ? talos.dmesg({
            node: target.address,
            follow: o.follow,
            tail: o.follow && !resuming && o.tailLines === 0,
            signal,
          })
        : talos.logs({
            node: target.address,
            id: o.source,
            follow: o.follow,
            tailLines: resuming ? RESUME_TAIL : o.tailLines,
            signal,
          });
      // Hold the backlog when part of it must be skipped: to resume after the anchor, or to keep the
      // last N kernel records (Dmesg has no tail count).
      const keepLast = kernel && !resuming && o.tailLines > 0 ? o.tailLines : undefined;
      const holding = resuming || keepLast !== undefined;
      const held: string[] = [];
      let lastAt = Date.now();
      let holdOpen = holding;
      const releaseHold = () => {
        if (!holdOpen) return;
        holdOpen = false;
        let from = 0;
        if (resuming) {
          const at = findAnchor(held, anchor as string);
          if (at >= 0) from = at + 1;
          else
            session.pushMarker(
              m,
              "gap",
              everStreamed || o.anchor
                ? `lines of ${target.hostname} may be missing here: its log could not be matched up after reconnecting${failures ? " (the node may have restarted)" : ""}`
                : `lines of ${target.hostname} may be missing here`,
            );
        } else if (keepLast !== undefined) from = Math.max(0, held.length - keepLast);
        for (let i = from; i < held.length; i++) emit(held[i] as string);
        held.length = 0;
      };
      const holdLimit = resuming ? (kernel ? KERNEL_HOLD : RESUME_TAIL) : KERNEL_HOLD;
      const quiet = holding
        ? setInterval(() => {
            if (Date.now() - lastAt >= QUIET_MS) releaseHold();
          }, QUIET_MS / 4)
        : undefined;
      try {
        opened = true;
        o.onOpen?.(true);
        session.setState(m, "streaming", o.follow ? "following" : "reading");
        for await (const line of lines) {
          received++;
          if (holdOpen) {
            lastAt = Date.now();
            held.push(line);
            if (held.length >= holdLimit) releaseHold();
          } else emit(line);
          if (received === 1) {
            everStreamed = true;
            failures = 0;
          }
        }
        releaseHold();
      } finally {
        clearInterval(quiet);
      }
      if (signal.aborted) break;
      if (!o.follow) {
        session.setState(m, "ended", `end of log (${plural(received, "line")})`);
        return;
      }
      // A follow stream that ends was closed by the node: apid stopping (reboot, upgrade) or a blip.
      throw undefined;
    } catch (err) {
      if (signal.aborted) break;
      const failure = classifyFailure(err, {
        source: o.source,
        stage: await o.stage().catch(() => undefined),
      });
      if (!failure.retry) {
        session.setState(m, "failed", failure.message);
        return;
      }
      // A credential replaced or removed: reopen at once with the cluster's current one (or say there is none).
      const retired = err instanceof TalosCredentialRetiredError;
      const wait = retired ? 0 : (BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)] as number);
      if (!retired) failures++;
      session.setState(
        m,
        "retrying",
        wait
          ? `${failure.message}: retrying in ${Math.round(wait / 1000)} s`
          : `${failure.message}: reconnecting`,
      );
      const a = recent.anchor();
      if (a) anchor = a;
      await sleep(wait, signal);
    } finally {
      if (opened) o.onOpen?.(false);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
