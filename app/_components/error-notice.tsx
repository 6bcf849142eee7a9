// A failed request, said in words: the server's user message and its reference.
import { AlertTriangle } from "lucide-react";

interface TrpcLikeError {
  message: string;
  data?: { requestId?: string } | null;
}

export function ErrorNotice({ title, error }: { title: string; error: TrpcLikeError }) {
  return (
    <div
      role="alert"
      className="flex gap-3 rounded-lg border border-red-200 bg-red-50 p-4 text-sm dark:border-red-900 dark:bg-red-950/40"
    >
      <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0 text-red-600 dark:text-red-400" />
      <div>
        <p className="font-medium text-red-800 dark:text-red-300">{title}</p>
        <p className="mt-1 text-red-700 dark:text-red-400">{error.message}</p>
      </div>
    </div>
  );
}
