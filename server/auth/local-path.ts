// Where to go after sign-in: only a path on this site, never an open redirect elsewhere.

export const DEFAULT_NEXT = "/fleet";

/** Control characters and backslashes let some browsers read a path as another host. */
const unsafeChar = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c === "\u007f" || c === "\\");

export function localPath(next: string | null | undefined): string {
  if (!next?.startsWith("/") || next.startsWith("//") || unsafeChar(next) || next.length > 2000) {
    return DEFAULT_NEXT;
  }
  return next;
}
