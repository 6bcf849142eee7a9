// Level detection for the log formats Talos nodes write: JSON (level/lvl/severity, zap, logrus,
// pino numbers, klog JSON), zap console, klog text, logfmt, etcd's capnslog, and dmesg records.

export const LEVELS = ["error", "warn", "info", "debug", "none"] as const;
/** "none": no level could be read from the line. */
export type Level = (typeof LEVELS)[number];

export const LEVEL_LABELS: Record<Level, string> = {
  error: "Error",
  warn: "Warning",
  info: "Info",
  debug: "Debug",
  none: "No level",
};

/** Only the start of a line is looked at: levels come first, and a 1 MB line must stay cheap. */
const HEAD = 4096;

const NAMES: Record<string, Level> = {
  trace: "debug",
  debug: "debug",
  dbg: "debug",
  d: "debug",
  info: "info",
  inf: "info",
  information: "info",
  notice: "info",
  i: "info",
  n: "info",
  warn: "warn",
  warning: "warn",
  wrn: "warn",
  w: "warn",
  error: "error",
  err: "error",
  e: "error",
  fatal: "error",
  panic: "error",
  dpanic: "error",
  crit: "error",
  critical: "error",
  alert: "error",
  emerg: "error",
  emergency: "error",
  f: "error",
  c: "error",
};

function named(word: string | undefined): Level | undefined {
  return word === undefined ? undefined : NAMES[word.toLowerCase()];
}

/** pino/bunyan numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
function numeric(n: number): Level {
  if (n >= 50) return "error";
  if (n >= 40) return "warn";
  if (n >= 30) return "info";
  return "debug";
}

const JSON_LEVEL = /"(?:level|lvl|severity|log\.level|levelname|L)"\s*:\s*(?:"([A-Za-z]+)"|(\d+))/;
// klog's JSON format (kubelet): errors carry "err" and no "v"; info lines carry "v" (verbosity).
const KLOG_JSON_V = /"v"\s*:\s*(\d+)/;
const KLOG_JSON_ERR = /"err"\s*:/;
const ZAP_CONSOLE = /^\S+\t(DEBUG|INFO|WARN|ERROR|DPANIC|PANIC|FATAL)\t/i;
const KLOG_TEXT = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d+\s/;
const CAPNSLOG = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+ ([DINWEC]) \| /;
const LOGFMT = /(?:^|\s)(?:level|lvl|severity)=(?:"([A-Za-z]+)"|([A-Za-z]+))(?=\s|$)/;
const DMESG = /^\s*[a-z0-9]+:\s*(emerg|alert|crit|err|warning|notice|info|debug)\s*:/;
// Colour sequences only (zap console colours its level); rendering uses the ANSI parser.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
const ANSI = /\x1b\[[0-9;]*m/g;

/** The level a line states, or "none". */
export function detectLevel(text: string): Level {
  let head = text.length > HEAD ? text.slice(0, HEAD) : text;
  if (head.includes("\x1b")) head = head.replace(ANSI, "");
  const start = head.trimStart();
  if (start.startsWith("{")) {
    const m = JSON_LEVEL.exec(start);
    if (m) return m[2] !== undefined ? numeric(Number(m[2])) : (named(m[1]) ?? "none");
    if (KLOG_JSON_ERR.test(start) && !KLOG_JSON_V.test(start)) return "error";
    const v = KLOG_JSON_V.exec(start);
    if (v) return Number(v[1]) >= 4 ? "debug" : "info";
    return "none";
  }
  const zap = ZAP_CONSOLE.exec(head);
  if (zap) return named(zap[1]) ?? "none";
  const klog = KLOG_TEXT.exec(head);
  if (klog) return named(klog[1]) ?? "none";
  const capn = CAPNSLOG.exec(head);
  if (capn) return named(capn[1]) ?? "none";
  const dmesg = DMESG.exec(head);
  if (dmesg) return named(dmesg[1]) ?? "none";
  const logfmt = LOGFMT.exec(head);
  if (logfmt) return named(logfmt[1] ?? logfmt[2]) ?? "none";
  return "none";
}
