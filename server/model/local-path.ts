// Where to go after sign-in (password or single sign-on): only a path on this site, never an open
// redirect elsewhere. Pure, so the sign-in form in the browser and the server use the same rule.

export const DEFAULT_NEXT = "/fleet";

/** Control characters and backslashes let some browsers read a path as another host. */
const unsafeChar = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c === "\u007f" || c === "\\");

const HERE = "http://minos.invalid";

export function localPath(next: string | null | undefined): string {
  if (!next?.startsWith("/") || next.startsWith("//") || unsafeChar(next) || next.length > 2000) {
    return DEFAULT_NEXT;
  }
  // What a browser would make of it, resolved against this site: it must stay on this site.
  let url: URL;
  try {
    url = new URL(next, HERE);
  } catch {
    return DEFAULT_NEXT;
  }
  if (url.origin !== HERE || url.pathname.startsWith("//")) return DEFAULT_NEXT;
  return `${url.pathname}${url.search}${url.hash}`;
}
