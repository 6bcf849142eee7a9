// Announcements of a rollout (approval needed, wave finished, paused, completed, aborted) as
// Slack-compatible JSON ({"text": …}) to MINOS_ROLLOUT_WEBHOOK_URL. Sent in the background: a slow,
// failing or unreachable endpoint never holds up or breaks a rollout; failures are logged (never the
// URL, which often carries a secret token).
import type { Logger } from "pino";

export type Notifier = (text: string) => void;

export function webhookNotifier(
  url: string | undefined,
  log: Logger,
  opts: { timeoutMs?: number } = {},
): Notifier | undefined {
  if (!url) return undefined;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return (text) => {
    void fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(timeoutMs),
    })
      .then(async (res) => {
        // Read the body so the connection is released.
        await res.arrayBuffer().catch(() => {});
        if (!res.ok) log.warn({ status: res.status, text }, "rollout webhook refused an announcement");
      })
      .catch((err: unknown) =>
        log.warn(
          {
            err: err instanceof Error ? { name: err.name, message: err.message } : String(err),
            timeoutMs,
            text,
          },
          "rollout webhook did not take an announcement",
        ),
      );
  };
}
