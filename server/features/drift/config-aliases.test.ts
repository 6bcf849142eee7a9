// A YAML alias bomb (a few lines that expand to billions of values) in a baselines file or a node's
// machine configuration is refused with a clear error, not a crash or a generic server error.
import { describe, expect, it } from "vitest";
import { importBaselines } from "./baseline";
import { parseConfigText } from "./config-documents";

const BOMB = [
  "apiVersion: minos.dev/v1",
  "kind: Baseline",
  "metadata: { name: bomb }",
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
  "spec: [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
].join("\n");

describe("YAML aliases", () => {
  it("beyond a small number are refused with a message saying what to do", () => {
    const { documents, errors } = parseConfigText(BOMB);
    expect(documents).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("expands its YAML aliases (*name) more than 100 times"),
        line: 1,
      }),
    ]);
    expect(importBaselines(BOMB).errors[0]?.message).toMatch(/alias bomb/);
  });

  it("a few are fine", () => {
    const { documents, errors } = parseConfigText("machine: &m { type: worker }\ncopy: *m\n");
    expect(errors).toEqual([]);
    expect(documents[0]?.value).toEqual({ machine: { type: "worker" }, copy: { type: "worker" } });
  });
});
