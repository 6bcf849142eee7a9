"use client";
// The signed-in user and their permissions, for showing only what they may use. The server
// checks every action again; this only keeps the page honest.
import { useQuery } from "@tanstack/react-query";
import type { Permission } from "@/server/model/permissions";
import { useTRPC } from "./trpc";

export function useMe() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  const may = (p: Permission) => me.data?.permissions.includes(p) ?? false;
  return { me: me.data, loading: me.isPending, may };
}
