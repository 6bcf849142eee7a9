// Text someone else wrote — a user's lock reason or comment, a label, a node's hostname — set inside
// Minos's own sentences. Bidirectional controls in it (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) would
// reorder what follows it too: "(by lou)" written after a reason could read "(uol yb)", and who locked
// what could be spoofed. Such text is shown with those controls made visible and isolated from the
// sentence around it (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE). Pure: the browser uses it too.

/** Embeddings, overrides, isolates and marks that change the order characters are shown in. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The text with every bidirectional control shown as ⟨U+202E⟩. */
export function visibleControls(text: string): string {
  return text.replace(
    BIDI_CONTROLS,
    (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`,
  );
}

/** The text, controls made visible, isolated so that it cannot reorder the sentence it is set in. */
export function untrusted(text: string): string {
  return `\u2068${visibleControls(text)}\u2069`;
}
