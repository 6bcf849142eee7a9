// Line formats of Talos's log sources: machined text, zap console and JSON, Go standard log, logrus, klog JSON.

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Go's log package with Ldate|Ltime|Lmicroseconds, in UTC: `2006/01/02 15:04:05.000000`. */
export function goLogTime(ms: number): string {
  const d = new Date(ms);
  const micro = pad(d.getUTCMilliseconds(), 3) + pad(Math.floor((ms * 1000) % 1000), 3);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${micro}`;
}

/** RFC 3339 with nanoseconds, as Go prints time.RFC3339Nano (trailing zeros trimmed). */
export function rfc3339Nano(ms: number, extraNanos = 0): string {
  const iso = new Date(ms).toISOString(); // 2026-08-14T10:11:12.123Z
  const nanos = `${iso.slice(20, 23)}${String(extraNanos).padStart(6, "0")}`.replace(/0+$/, "");
  return `${iso.slice(0, 19)}${nanos ? `.${nanos}` : ""}Z`;
}

/** machined: `2006/01/02 15:04:05.000000 [talos] message`. */
export function machinedLine(ms: number, msg: string): string {
  return `${goLogTime(ms)} [talos] ${msg}`;
}

const ZAP_COLOURS: Record<string, string> = { DEBUG: "35", INFO: "34", WARN: "33", ERROR: "31" };

/** zap console encoder with capital colour levels: time, level, message, JSON fields, tab separated. */
export function zapConsoleLine(
  ms: number,
  level: string,
  msg: string,
  fields: Record<string, unknown>,
): string {
  const iso = new Date(ms).toISOString().replace(/Z$/, "Z");
  const json = JSON.stringify(fields).replace(/":/g, '": ').replace(/,"/g, ', "');
  return `${iso}\t\x1b[${ZAP_COLOURS[level] ?? "34"}m${level}\x1b[0m\t${msg}\t${json}`;
}

/** Go standard log with Lshortfile: `2006/01/02 15:04:05.000000 file.go:123: message`. */
export function goStdLine(ms: number, file: string, msg: string): string {
  return `${goLogTime(ms)} ${file}: ${msg}`;
}

/** logrus JSON formatter: keys sorted, `time` in RFC 3339 nano. */
export function logrusLine(
  ms: number,
  level: string,
  msg: string,
  fields: Record<string, unknown> = {},
): string {
  const all: Record<string, unknown> = { ...fields, level, msg, time: rfc3339Nano(ms, 137_211) };
  const sorted = Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k]]),
  );
  return JSON.stringify(sorted);
}

/** etcd's zap JSON: level, ts, caller, msg, then fields. */
export function etcdLine(
  ms: number,
  level: string,
  caller: string,
  msg: string,
  fields: Record<string, unknown> = {},
): string {
  const ts = new Date(ms).toISOString().replace(/(\.\d{3})Z$/, "$1412Z");
  return JSON.stringify({ level, ts, caller, msg, ...fields });
}

/** kubelet's JSON logging: ts in epoch milliseconds (fractional), caller, msg, v. */
export function kubeletLine(
  ms: number,
  caller: string,
  msg: string,
  fields: Record<string, unknown> = {},
): string {
  return `{"ts":${(ms + 0.4713).toFixed(4)},"caller":${JSON.stringify(caller)},"msg":${JSON.stringify(msg)},"v":0${Object.entries(
    fields,
  )
    .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join("")}}`;
}

/** Duration the way Go prints time.Duration for sequence logs (e.g. 1.2s, 350ms). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${((ms % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
}
