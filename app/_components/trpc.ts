"use client";
// The typed tRPC hooks for client components.
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@/server/api/app-router";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
