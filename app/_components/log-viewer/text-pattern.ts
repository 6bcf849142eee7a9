// What the text filter looks for in a line, as one interface whatever it was typed as. Text as typed is
// found with the browser's own RegExp (escaped: it cannot backtrack). A regular expression runs on RE2
// (re2js), which matches in time linear in the line: a pattern like (A+)+B, from a shared link, on a
// node's 64 KiB line cannot freeze the tab as the browser's backtracking engine did (25 s). RE2 has no
// look-arounds or back-references; a pattern using them is refused, saying so.
import { RE2JS } from "re2js";

export interface TextPattern {
  /** Whether the text holds a match. */
  test(text: string): boolean;
  /** Where it matches: [start, end) pairs, empty matches left out, at most `max`. */
  matches(text: string, max: number): Array<[number, number]>;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Text as typed. */
export function literalPattern(text: string, caseSensitive: boolean): TextPattern {
  const re = new RegExp(escapeRegExp(text), caseSensitive ? "g" : "gi");
  return {
    test(s) {
      re.lastIndex = 0;
      const hit = re.test(s);
      re.lastIndex = 0;
      return hit;
    },
    matches(s, max) {
      const out: Array<[number, number]> = [];
      re.lastIndex = 0;
      for (let m = re.exec(s); m && out.length < max; m = re.exec(s))
        out.push([m.index, m.index + m[0].length]);
      re.lastIndex = 0;
      return out;
    },
  };
}

/** A regular expression (RE2 syntax); throws SyntaxError with RE2's reason when it is not one. */
export function regexPattern(source: string, caseSensitive: boolean): TextPattern {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    // "error parsing regexp: missing closing ): `(?i)(unclosed`": the reason, without RE2's echo of the
    // whole pattern (it shows flags the user never typed); an echo of the faulty part stays.
    const message = err instanceof Error ? err.message.replace(/^error parsing regexp: /, "") : "";
    const echo = /: `(.*)`$/s.exec(message)?.[1];
    const whole = echo !== undefined && (echo === source || echo === `(?i)${source}`);
    const reason = whole ? message.slice(0, -(echo.length + 4)) : message;
    throw new SyntaxError(reason);
  }
  const matcher = re.matcher("");
  return {
    test(s) {
      return matcher.resetMatcherInput(s).find();
    },
    matches(s, max) {
      const out: Array<[number, number]> = [];
      matcher.resetMatcherInput(s);
      while (out.length < max && matcher.find()) {
        const start = matcher.start();
        const end = matcher.end();
        if (end > start) out.push([start, end]);
      }
      return out;
    },
  };
}
