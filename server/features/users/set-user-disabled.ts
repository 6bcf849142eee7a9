// Disables (or enables again) a user: a disabled user's sessions end at once and no sign-in or token of
// theirs works until enabled again. Nobody disables their own account.
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";

export async function setUserDisabled({
  db,
  username,
  disabled,
  byUsername,
}: {
  db: PrismaClient;
  username: string;
  disabled: boolean;
  /** Who asks. */
  byUsername: string | undefined;
}): Promise<void> {
  if (username === byUsername && disabled) {
    throw new AppError("BAD_REQUEST", { userMessage: "You cannot disable your own account." });
  }
  const updated = await db.user.updateMany({ where: { username }, data: { disabled } });
  if (updated.count === 0)
    throw new AppError("NOT_FOUND", { userMessage: `There is no user named "${username}".` });
  if (disabled) await db.session.deleteMany({ where: { user: { username } } });
}
