// The event id of each frame: enough for a reconnecting client (which sends back the id of the last
// frame it received) to resume each machine's log right after the last line it got. Per machine an
// anchor, the hash of its last lines, found again in the tail the node sends when the stream reopens.
// Stateless, so it survives a Minos restart or a reconnect that lands on another instance.

/** How many trailing lines of a machine make its anchor. */
const ANCHOR_LINES = 3;

/** FNV-1a, 32 bits, over UTF-16 code units. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function anchorOf(lines: readonly string[]): string {
  if (lines.length === 0) return "";
  let h = 0x811c9dc5;
  for (const l of lines) h = fnv1a(`${l}\n`, h);
  return `${lines.length}${h.toString(36)}`;
}

/** The last few lines of one machine's log, as sent; gives the anchor. */
export class RecentLines {
  private readonly lines: string[] = [];

  push(text: string): void {
    if (this.lines.length === ANCHOR_LINES) this.lines.shift();
    this.lines.push(text);
  }

  anchor(): string {
    return anchorOf(this.lines);
  }
}

/**
 * Where in `lines` (oldest first) the anchor ends: the index of the last line of the latest match,
 * or -1 when the anchor is not among them.
 */
export function findAnchor(lines: readonly string[], anchor: string): number {
  if (!anchor) return -1;
  const k = Number(anchor[0]);
  for (let end = lines.length - 1; end >= k - 1; end--) {
    if (anchorOf(lines.slice(end - k + 1, end + 1)) === anchor) return end;
  }
  return -1;
}

export function encodeResumeId(frame: number, anchors: readonly string[]): string {
  return `${frame}~${anchors.join(".")}`;
}

/** Anchors by machine index from a client's lastEventId; undefined when it is not one of ours. */
export function decodeResumeId(id: string | null | undefined, machines: number): string[] | undefined {
  if (!id) return undefined;
  const m = /^(\d+)~([0-9a-z.]*)$/.exec(id);
  if (!m) return undefined;
  const anchors = (m[2] as string).split(".");
  if (anchors.length !== machines || anchors.some((a) => a !== "" && !/^[1-3][0-9a-z]{1,7}$/.test(a)))
    return undefined;
  return anchors;
}
