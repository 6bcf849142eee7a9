// A small fleet over two countries for the view tests: Denmark (aarhus, plus one machine that
// sits in Denmark while its cluster is Swedish) and Sweden (malmo, lund).
import type { PrismaClient } from "../platform/db/client";
import { principalWith } from "./principals";
import { seedInventory } from "./seed-inventory";

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);

export function seedViewsFleet(db: PrismaClient) {
  return seedInventory(db, [
    {
      name: "aarhus",
      site: "eu/dk/aarhus-0042",
      labels: { group: "nordics", tier: "flagship" },
      health: "degraded",
      machines: [
        { hostname: "aarhus-cp-1", talosVersion: "v1.11.5" },
        {
          hostname: "aarhus-w-1",
          health: "unhealthy",
          healthReason: "kubelet failed",
          healthSince: hoursAgo(5),
          talosVersion: "v1.11.5",
        },
        { hostname: "aarhus-w-2", labels: { canary: "true", tier: "standard" }, talosVersion: "v1.10.7" },
      ],
    },
    {
      name: "malmo",
      site: "eu/se/malmo-0007",
      labels: { group: "nordics" },
      health: "unhealthy",
      machines: [
        { hostname: "malmo-cp-1", talosVersion: "v1.12.0", kubernetesVersion: "v1.35.0" },
        {
          hostname: "malmo-secret-w-1",
          health: "unreachable",
          healthReason: "Talos on 10.0.1.2 refused the connection",
          healthSince: hoursAgo(9),
          talosVersion: "v1.12.0",
        },
      ],
    },
    {
      name: "lund",
      site: "eu/se/lund-0001",
      machines: [
        { hostname: "lund-cp-1" },
        {
          hostname: "lund-borrowed-w-1",
          site: "eu/dk/borrowed-0001",
          health: "degraded",
          healthReason: "booting",
          healthSince: hoursAgo(1),
        },
      ],
    },
  ]);
}

export const everyone = () => principalWith("vera", "viewer");
export const danishViewer = () => principalWith("dana", { role: "viewer", scope: "site:eu/dk/*" });
export const danishOperator = () => principalWith("otto", { role: "operator", scope: "site:eu/dk/*" });
export const operator = () => principalWith("olga", "operator");
