// The four-eyes rule for approvals: whoever asked for a change, or last changed it, can never be
// the one who approves it. Enforced on the server wherever an approval is given.
import { AppError } from "./errors";
import type { Principal } from "./principal";

export interface ApprovalSubject {
  /** User ids of whoever created the request and whoever last changed it. */
  requestedBy: string;
  lastChangedBy: string;
  /** What is being approved, for the message, e.g. "wave 2 of rollout spring-upgrade". */
  what: string;
}

export function assertFourEyes(approver: Principal, subject: ApprovalSubject): void {
  if (approver.userId === subject.requestedBy || approver.userId === subject.lastChangedBy) {
    const role = approver.userId === subject.requestedBy ? "requested" : "last changed";
    throw new AppError("FORBIDDEN", {
      message: `${approver.username} tried to approve ${subject.what} they ${role}`,
      userMessage: `You ${role} ${subject.what}, so someone else must approve it (four-eyes rule).`,
    });
  }
}
