// What a failed node stream means for the person watching: retry (unreachable, rebooting, a blip)
// or give up (the source is not on this node, Talos refuses the credential), in words.
import { AppError } from "../../model/errors";
import {
  TalosCredentialRetiredError,
  TalosError,
  TalosPermissionDeniedError,
  TalosUnreachableError,
} from "../../talos";

export type StreamFailure = { retry: true; message: string } | { retry: false; message: string };

/** Machine stages in which the node is going away or coming back (from the collector's view). */
const RESTARTING = new Set(["rebooting", "upgrading", "booting", "installing", "shutting_down", "resetting"]);

export function classifyFailure(
  err: unknown,
  ctx: { source: string; stage: string | undefined },
): StreamFailure {
  if (err instanceof AppError) return { retry: false, message: err.userMessage };
  if (err instanceof TalosPermissionDeniedError)
    return {
      retry: false,
      message: `permission denied: reading logs needs the Talos role ${err.requiredRole} or higher, and the credential Minos holds for this cluster has ${err.actualRoles.join(", ") || "no role"}. An administrator can import a talosconfig with ${err.requiredRole} under Settings → Talos credentials.`,
    };
  if (err instanceof TalosError && /was not registered|not found/i.test(err.detail ?? ""))
    return {
      retry: false,
      message: `${ctx.source === "kernel" ? "the kernel log" : `"${ctx.source}"`} is not a log source on this machine; pick one the machine has.`,
    };
  if (err instanceof TalosCredentialRetiredError)
    return { retry: true, message: "the cluster's Talos credential was replaced or removed" };
  if (ctx.stage && RESTARTING.has(ctx.stage))
    return { retry: true, message: `the node is ${ctx.stage.replace("_", " ")}` };
  if (err === undefined) return { retry: true, message: "the node closed the stream" };
  if (err instanceof TalosUnreachableError) return { retry: true, message: "the node is unreachable" };
  if (err instanceof TalosError) return { retry: true, message: err.message.replace(/\.$/, "") };
  return { retry: true, message: "the stream failed unexpectedly" };
}
