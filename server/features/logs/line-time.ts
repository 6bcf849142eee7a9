// The time a log line carries, when it carries one: Talos machined and Go standard log, klog,
// JSON `ts`/`time` (zap, kubelet, etcd, logrus), logfmt `time="…"`, RFC 3339 at the start or in
// brackets (zap console, dmesg). Only the first bytes of a line are looked at.

const HEAD = 256;

// 2006/01/02 15:04:05(.000000)
const GO_LOG = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/;
// RFC 3339 at the start, possibly after "[" or inside "kern:    info: [...]"
const RFC3339 = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?/;
// klog: I0102 15:04:05.123456   1234 file.go:12] msg
const KLOG = /^[IWEF](\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s/;
// JSON: "ts": 1700000000.123 | "ts": "2024-…" | "time": "…"
const JSON_TS = /"(?:ts|time|timestamp)"\s*:\s*(?:"([^"]{10,40})"|(\d{9,14}(?:\.\d+)?))/;
// logfmt: time="2024-…"  or time=2024-…
const LOGFMT_TIME = /(?:^|\s)(?:time|ts)="?(\d{4}-\d{2}-\d{2}T[^"\s]+)"?/;

const fraction = (f: string | undefined) => (f ? Number(`0.${f}`) * 1000 : 0);

function utc(y: string, mo: string, d: string, h: string, mi: string, s: string, f?: string): number {
  return Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) + fraction(f);
}

function offsetMs(zone: string | undefined): number {
  if (!zone || zone === "Z") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

function fromRfc3339(m: RegExpExecArray): number {
  const [, y, mo, d, h, mi, s, f, zone] = m as unknown as string[];
  return (
    utc(y as string, mo as string, d as string, h as string, mi as string, s as string, f) - offsetMs(zone)
  );
}

/** Epoch seconds (zap) or milliseconds (kubelet JSON) as a number of ms. */
function fromEpoch(n: number): number {
  return n > 1e11 ? n : n * 1000;
}

/** Plausible = between 2000 and a day from now, so stray numbers are not taken for times. */
function plausible(ms: number, now: number): number | undefined {
  return Number.isFinite(ms) && ms > 946_684_800_000 && ms < now + 86_400_000 ? ms : undefined;
}

/** The time in ms since the epoch a line carries, or undefined. Lines without a zone are UTC (as Talos writes them). */
export function lineTime(line: string, now = Date.now()): number | undefined {
  const head = line.length > HEAD ? line.slice(0, HEAD) : line;
  const c = head.charCodeAt(0);
  if (c === 123 /* { */) {
    const m = JSON_TS.exec(head);
    if (m) {
      if (m[2] !== undefined) return plausible(fromEpoch(Number(m[2])), now);
      const r = RFC3339.exec(m[1] as string);
      if (r) return plausible(fromRfc3339(r), now);
      return plausible(Date.parse(m[1] as string), now);
    }
    return undefined;
  }
  if (c >= 48 && c <= 57 /* digit */) {
    const g = GO_LOG.exec(head);
    if (g) {
      const [, y, mo, d, h, mi, s, f] = g as unknown as string[];
      return plausible(
        utc(y as string, mo as string, d as string, h as string, mi as string, s as string, f),
        now,
      );
    }
  }
  const k = KLOG.exec(head);
  if (k) {
    const [, mo, d, h, mi, s, f] = k as unknown as string[];
    const year = new Date(now).getUTCFullYear();
    let t = utc(String(year), mo as string, d as string, h as string, mi as string, s as string, f);
    if (t > now + 86_400_000)
      t = utc(String(year - 1), mo as string, d as string, h as string, mi as string, s as string, f);
    return plausible(t, now);
  }
  const l = LOGFMT_TIME.exec(head);
  if (l) {
    const r = RFC3339.exec(l[1] as string);
    if (r) return plausible(fromRfc3339(r), now);
  }
  const r = RFC3339.exec(head.length > 80 ? head.slice(0, 80) : head);
  if (r && r.index <= 40) return plausible(fromRfc3339(r), now);
  return undefined;
}
