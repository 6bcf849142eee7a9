// Reads an uploaded or pasted talosconfig into validated contexts, or one clear reason it cannot.
import { AppError } from "../../model/errors";
import { TalosconfigError } from "../../talos/errors";
import { parseTalosconfig, type TalosContext } from "../../talos/talosconfig";

/** A talosconfig is a few KiB; anything this large is the wrong file. */
export const MAX_TALOSCONFIG_BYTES = 256 * 1024;

/** Talos roles from least to most privileged for the jobs Minos does. */
export const ROLE_RANK: Record<string, number> = { "os:reader": 1, "os:operator": 2, "os:admin": 3 };

/** A validated context and the one role it is stored with. */
export interface ImportedContext extends TalosContext {
  role: string;
}

/** The role a certificate acts with: its most privileged Talos role (Talos admits any of them). */
export function effectiveRole(roles: readonly string[]): string | undefined {
  const talos = roles.filter((r) => r.startsWith("os:"));
  return [...talos].sort((a, b) => (ROLE_RANK[b] ?? 0) - (ROLE_RANK[a] ?? 0))[0];
}

// Context names become part of the sealing context and appear in the UI: printable, bounded.
const NAME = /^[^\p{Cc}\p{Cf}\s][^\p{Cc}\p{Cf}]{0,99}$/u;

/** Validates the whole file; the first bad context rejects it, with its name in the message. */
export function readTalosconfig(text: string, now = new Date()): ImportedContext[] {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_TALOSCONFIG_BYTES) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `The file is ${Math.ceil(bytes / 1024)} KiB; a talosconfig may be at most ${MAX_TALOSCONFIG_BYTES / 1024} KiB (they are usually a few KiB). Check that you chose the talosconfig.`,
    });
  }
  if (text.trim() === "") {
    throw new AppError("BAD_REQUEST", {
      userMessage: "The talosconfig is empty. Paste it or choose its file.",
    });
  }
  let contexts: TalosContext[];
  try {
    contexts = parseTalosconfig(text, { now }).contexts;
  } catch (err) {
    // The parser's messages are written for users; its causes may quote the file, so they are dropped.
    if (err instanceof TalosconfigError) throw new AppError("BAD_REQUEST", { userMessage: err.message });
    throw err;
  }
  return contexts.map((ctx) => {
    if (!NAME.test(ctx.name)) {
      throw new AppError("BAD_REQUEST", {
        userMessage: `Context "${ctx.name.slice(0, 100)}": the name must be 1–100 printable characters, not starting with a space. Rename the context in the file.`,
      });
    }
    const role = effectiveRole(ctx.roles);
    if (!role) {
      throw new AppError("BAD_REQUEST", {
        userMessage: `Context "${ctx.name}": the client certificate carries no Talos role (its subject needs O=os:reader, os:operator or os:admin). Issue it with talosctl config new --roles.`,
      });
    }
    return { ...ctx, role };
  });
}
