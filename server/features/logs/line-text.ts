// A node's line made safe to carry: at most MAX_LINE_CHARS, cut with a visible note. Invalid UTF-8
// was already replaced by U+FFFD when the bytes were decoded; markup and ANSI stay plain text (the
// browser renders text only).

/** 64 Ki UTF-16 code units (about 64 KiB of ASCII). */
export const MAX_LINE_CHARS = 65_536;

export function boundedLine(text: string): string {
  if (text.length <= MAX_LINE_CHARS) return text;
  let end = MAX_LINE_CHARS;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // never split a surrogate pair
  const bytes = Buffer.byteLength(text, "utf8");
  return `${text.slice(0, end)} … [Minos cut this line: it is ${bytes.toLocaleString("en-US")} bytes, the first ${end.toLocaleString("en-US")} characters are shown]`;
}
