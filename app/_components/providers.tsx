"use client";
// Client-side providers: theme (light/dark/system), TanStack Query and the tRPC client.
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { ThemeProvider } from "next-themes";
import { type ReactNode, useState } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/app-router";
import { TRPCProvider } from "./trpc";

function isUnauthorized(err: unknown): boolean {
  return (err as { data?: { code?: string } } | null)?.data?.code === "UNAUTHORIZED";
}

function signInAgainIfUnauthorized(err: unknown): void {
  if (!isUnauthorized(err) || window.location.pathname.startsWith("/login")) return;
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/login?next=${encodeURIComponent(next)}`);
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        // A session that ended (expired, signed out elsewhere) sends the user to sign in again.
        queryCache: new QueryCache({ onError: signInAgainIfUnauthorized }),
        mutationCache: new MutationCache({ onError: signInAgainIfUnauthorized }),
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            refetchOnWindowFocus: true,
            retry: (count, err) => count < 1 && !isUnauthorized(err),
          },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        // Subscriptions (live logs, events) over server-sent events; everything else batched over HTTP,
        // except a query that asks not to be (`trpc: { context: { skipBatch: true } }`): a batch leaves on
        // a timer, after the browser has painted, and a query the user is waiting on should not.
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: "/api/trpc", transformer: superjson }),
          false: splitLink({
            condition: (op) => op.context.skipBatch === true,
            true: httpLink({ url: "/api/trpc", transformer: superjson }),
            false: httpBatchLink({ url: "/api/trpc", transformer: superjson }),
          }),
        }),
      ],
    }),
  );
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
