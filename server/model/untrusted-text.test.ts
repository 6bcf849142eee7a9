// A lock reason with U+202E (right-to-left override) cannot reorder Minos's own words after it: the
// override is shown, and the text is isolated from the sentence it is set in.
import { describe, expect, it } from "vitest";
import { untrusted, visibleControls } from "./untrusted-text";

describe("text someone else wrote", () => {
  it("shows bidirectional controls and is isolated", () => {
    const reason = "store refit \u202Eenil-kcol";
    expect(visibleControls(reason)).toBe("store refit ⟨U+202E⟩enil-kcol");
    const sentence = `cluster locked: ${untrusted(reason)} (by sec-oper-all)`;
    expect(sentence).toBe("cluster locked: \u2068store refit ⟨U+202E⟩enil-kcol\u2069 (by sec-oper-all)");
    // Nothing left that could reorder the rest: no override, every isolate closed.
    expect(sentence).not.toMatch(/[\u202A-\u202E]/);
    expect((sentence.match(/\u2068/g) ?? []).length).toBe((sentence.match(/\u2069/g) ?? []).length);
  });

  it("leaves ordinary text, right-to-left scripts included, as it is", () => {
    expect(visibleControls("מחסן תל אביב / store 12")).toBe("מחסן תל אביב / store 12");
  });
});
