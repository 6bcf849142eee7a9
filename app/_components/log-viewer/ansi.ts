// ANSI colour sequences to styled text runs (rendered as React spans, never as HTML). Everything
// that is not a complete escape sequence stays visible as text: a lone or broken ESC shows as ^[,
// other control characters in the same caret notation (`cat -v`: ^@, ^G, ^?), and bidirectional
// overrides (which could reorder what is shown) as �.
import Anser from "anser";

export interface StyledRun {
  text: string;
  /** Theme-aware classes for the 16 base colours and decorations. */
  className: string;
  /** Colours of the 256-colour palette and true colour, as rgb(…). */
  color?: string;
  background?: string;
}

/** A complete control sequence as the parser reads one (after ESC [). */
const CSI_BODY = /^[!\x3c-\x3f]*[\d;]*[\x20-\x2c]*[\x40-\x7e]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
const CSI_ALL = /\x1b\[[!\x3c-\x3f]*[\d;]*[\x20-\x2c]*[\x40-\x7e]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
const CONTROLS = /[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f]/g;
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
const HAS_BIDI = /[\u202a-\u202e\u2066-\u2069]/;
const ESC = "\x1b";

/** Caret notation, which every font can show: NUL → ^@, BEL → ^G, DEL → ^?. */
function caret(c: string): string {
  const code = c.charCodeAt(0);
  return code === 0x7f ? "^?" : `^${String.fromCharCode(0x40 + code)}`;
}

/** The line with every character that is not text or a complete escape sequence made visible. */
export function sanitize(raw: string): string {
  let s = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  if (HAS_BIDI.test(s)) s = s.replace(BIDI, "\ufffd");
  s = s.replace(CONTROLS, caret);
  if (!s.includes(ESC)) return s;
  let out = "";
  let from = 0;
  for (let i = s.indexOf(ESC); i !== -1; i = s.indexOf(ESC, i + 1)) {
    const complete = s[i + 1] === "[" && CSI_BODY.test(s.slice(i + 2, i + 64));
    if (!complete) {
      out += `${s.slice(from, i)}^[`;
      from = i + 1;
    }
  }
  return out + s.slice(from);
}

/** The text a line shows (escape sequences removed): what filters match and downloads hold. */
export function plainText(raw: string): string {
  const s = sanitize(raw);
  return s.includes(ESC) ? s.replace(CSI_ALL, "") : s;
}

const FG: Record<string, string> = {
  "ansi-black": "text-zinc-900 dark:text-zinc-500",
  "ansi-red": "text-red-700 dark:text-red-400",
  "ansi-green": "text-green-700 dark:text-green-400",
  "ansi-yellow": "text-yellow-700 dark:text-yellow-300",
  "ansi-blue": "text-blue-700 dark:text-blue-400",
  "ansi-magenta": "text-fuchsia-700 dark:text-fuchsia-400",
  "ansi-cyan": "text-cyan-700 dark:text-cyan-400",
  "ansi-white": "text-zinc-500 dark:text-zinc-200",
  "ansi-bright-black": "text-zinc-500 dark:text-zinc-400",
  "ansi-bright-red": "text-red-600 dark:text-red-300",
  "ansi-bright-green": "text-green-600 dark:text-green-300",
  "ansi-bright-yellow": "text-yellow-600 dark:text-yellow-200",
  "ansi-bright-blue": "text-blue-600 dark:text-blue-300",
  "ansi-bright-magenta": "text-fuchsia-600 dark:text-fuchsia-300",
  "ansi-bright-cyan": "text-cyan-600 dark:text-cyan-300",
  "ansi-bright-white": "text-zinc-400 dark:text-white",
};

const BG: Record<string, string> = {
  "ansi-black": "bg-zinc-300 dark:bg-black",
  "ansi-red": "bg-red-200 dark:bg-red-900",
  "ansi-green": "bg-green-200 dark:bg-green-900",
  "ansi-yellow": "bg-yellow-200 dark:bg-yellow-900",
  "ansi-blue": "bg-blue-200 dark:bg-blue-900",
  "ansi-magenta": "bg-fuchsia-200 dark:bg-fuchsia-900",
  "ansi-cyan": "bg-cyan-200 dark:bg-cyan-900",
  "ansi-white": "bg-zinc-200 dark:bg-zinc-700",
  "ansi-bright-black": "bg-zinc-400 dark:bg-zinc-600",
  "ansi-bright-red": "bg-red-300 dark:bg-red-800",
  "ansi-bright-green": "bg-green-300 dark:bg-green-800",
  "ansi-bright-yellow": "bg-yellow-300 dark:bg-yellow-800",
  "ansi-bright-blue": "bg-blue-300 dark:bg-blue-800",
  "ansi-bright-magenta": "bg-fuchsia-300 dark:bg-fuchsia-800",
  "ansi-bright-cyan": "bg-cyan-300 dark:bg-cyan-800",
  "ansi-bright-white": "bg-zinc-100 dark:bg-zinc-500",
};

const DECORATION: Record<string, string> = {
  bold: "font-bold",
  dim: "opacity-70",
  italic: "italic",
  underline: "underline",
  strikethrough: "line-through",
};

const CUBE = [0, 95, 135, 175, 215, 255];

/** xterm's 256-colour palette entries 16–255 as rgb(…). */
export function paletteColour(index: number): string | undefined {
  if (!Number.isInteger(index) || index < 16 || index > 255) return undefined;
  if (index >= 232) {
    const v = 8 + (index - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const n = index - 16;
  return `rgb(${CUBE[Math.floor(n / 36)]}, ${CUBE[Math.floor(n / 6) % 6]}, ${CUBE[n % 6]})`;
}

function trueColour(value: string | null | undefined): string | undefined {
  const parts = value?.split(",").map((p) => Number(p.trim()));
  if (parts?.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return `rgb(${parts.join(", ")})`;
}

function colourOf(
  name: string | null,
  truecolour: string | null | undefined,
  classes: Record<string, string>,
): { className?: string; rgb?: string } {
  if (!name) return {};
  if (classes[name]) return { className: classes[name] };
  if (name === "ansi-truecolor") return { rgb: trueColour(truecolour) };
  if (name.startsWith("ansi-palette-")) return { rgb: paletteColour(Number(name.slice(13))) };
  return {};
}

/** The runs a line shows, at most `limit` characters of it (escape sequences not counted). */
export function toRuns(raw: string, limit = Number.POSITIVE_INFINITY): StyledRun[] {
  const s = sanitize(raw);
  if (!s.includes(ESC)) return [{ text: s.length > limit ? s.slice(0, limit) : s, className: "" }];
  const runs: StyledRun[] = [];
  let left = limit;
  for (const chunk of Anser.ansiToJson(s, { use_classes: true, remove_empty: true })) {
    if (left <= 0) break;
    const text = chunk.content.length > left ? chunk.content.slice(0, left) : chunk.content;
    left -= text.length;
    const fg = colourOf(chunk.fg, chunk.fg_truecolor, FG);
    const bg = colourOf(chunk.bg, chunk.bg_truecolor, BG);
    const classes = [fg.className, bg.className, ...chunk.decorations.map((d) => DECORATION[d])];
    runs.push({
      text,
      className: classes.filter(Boolean).join(" "),
      ...(fg.rgb ? { color: fg.rgb } : {}),
      ...(bg.rgb ? { background: bg.rgb } : {}),
    });
  }
  return runs;
}
