"use client";
// Who is signed in, their roles, and signing out.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LogOut } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTRPC } from "./trpc";
import { useMe } from "./use-me";

export function UserMenu() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { me } = useMe();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        router.replace("/login");
      },
    }),
  );
  if (!me) return null;
  const roles = [...new Set(me.grants.map((g) => g.role))].join(", ");
  return (
    <div className="flex items-center justify-between gap-2 px-1 pb-3">
      <div className="min-w-0">
        <p className="truncate text-sm font-medium" data-testid="signed-in-user">
          {me.displayName}
        </p>
        <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">{roles}</p>
      </div>
      <button
        type="button"
        onClick={() => logout.mutate()}
        title="Sign out"
        className="rounded-md p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
      >
        <LogOut aria-hidden className="size-4" />
        <span className="sr-only">Sign out</span>
      </button>
    </div>
  );
}
