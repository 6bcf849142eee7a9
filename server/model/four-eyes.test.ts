import { describe, expect, it } from "vitest";
import { principalWith } from "../testing/principals";
import { assertFourEyes } from "./four-eyes";

describe("four eyes", () => {
  const ana = principalWith("ana", "approver");
  const what = "wave 1 of rollout spring";

  it("refuses the requester and the last editor, even when they are approvers or admins", () => {
    expect(() => assertFourEyes(ana, { requestedBy: ana.userId, lastChangedBy: "someone", what })).toThrow(
      expect.objectContaining({
        code: "FORBIDDEN",
        userMessage:
          "You requested wave 1 of rollout spring, so someone else must approve it (four-eyes rule).",
      }),
    );
    const admin = principalWith("root", "admin");
    expect(() =>
      assertFourEyes(admin, { requestedBy: "someone", lastChangedBy: admin.userId, what }),
    ).toThrow(expect.objectContaining({ userMessage: expect.stringMatching(/^You last changed wave 1/) }));
  });

  it("lets a different person approve", () => {
    expect(() => assertFourEyes(ana, { requestedBy: "op-1", lastChangedBy: "op-2", what })).not.toThrow();
  });
});
