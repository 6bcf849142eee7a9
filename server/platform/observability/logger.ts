// Structured server logs (pino, JSON lines on stdout). One logger per process, shared by the
// custom server and the Next.js bundle through globalThis.
import pino, { type Logger } from "pino";

const KEY = Symbol.for("minos.logger");
type Holder = { [KEY]?: Logger };

export function logger(): Logger {
  const holder = globalThis as Holder;
  holder[KEY] ??= pino({
    level: process.env.LOG_LEVEL ?? "info",
    base: { service: "minos" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        "*.password",
        "*.key",
        "*.secret",
        "*.token",
        "req.headers.cookie",
        "req.headers.authorization",
      ],
      censor: "[redacted]",
    },
  });
  return holder[KEY];
}
