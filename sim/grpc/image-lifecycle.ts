// machine.ImageService (Pull) and machine.LifecycleService (Upgrade) of Talos 1.13+: pull progress and installer output.
import { status, type UntypedServiceImplementation } from "@grpc/grpc-js";
import {
  ImageServicePullLayerProgress_Status,
  type ImageServicePullResponse,
  type ImageServiceServer,
} from "@/proto/generated/machine/image";
import type {
  LifecycleServiceServer,
  LifecycleServiceUpgradeResponse,
} from "@/proto/generated/machine/lifecycle";
import { hasLifecycleApi } from "../catalog";
import { installerTag } from "../registry";
import { endUpgradeCall, recordUpgradeCall } from "../upgrade-calls";
import type { CallContext, Director } from "./director";
import { statusError } from "./status";

function requireLifecycleApi(ctx: CallContext, service: string): void {
  if (!hasLifecycleApi(ctx.node.talosVersion)) {
    throw statusError(status.UNIMPLEMENTED, `unknown service ${service}`);
  }
}

const duration = (ms: number) => ({
  seconds: String(Math.floor(ms / 1000)),
  nanos: Math.floor((ms % 1000) * 1e6),
});

export function imageService(d: Director): ImageServiceServer & UntypedServiceImplementation {
  return {
    list: d.streamRaw("/machine.ImageService/List", async (_req, ctx, send) => {
      requireLifecycleApi(ctx, "machine.ImageService");
      for (const name of ctx.node.pulledImages ?? []) {
        send({ name, digest: "", size: "0", createdAt: new Date(ctx.node.bootTimeMs), labels: {} });
      }
    }),
    pull: d.streamRaw(
      "/machine.ImageService/Pull",
      async (req, ctx, send: (m: ImageServicePullResponse) => void) => {
        requireLifecycleApi(ctx, "machine.ImageService");
        const { node, fleet } = ctx;
        if (node.pulledImages?.has(req.imageRef)) {
          fleet.registry.resolve(req.imageRef);
          send({
            response: {
              $case: "pullProgress",
              value: {
                layerId: "",
                progress: {
                  status: ImageServicePullLayerProgress_Status.ALREADY_EXISTS,
                  elapsed: duration(0),
                  offset: "0",
                  total: "0",
                },
              },
            },
          });
          send({ response: { $case: "name", value: req.imageRef } });
          return;
        }
        try {
          await fleet.registry.pull(
            req.imageRef,
            (p) =>
              send({
                response: {
                  $case: "pullProgress",
                  value: {
                    layerId: p.layerId,
                    progress: {
                      status: ImageServicePullLayerProgress_Status[p.status],
                      elapsed: duration(p.elapsedMs),
                      offset: String(p.offset),
                      total: String(p.total),
                    },
                  },
                },
              }),
            ctx.signal,
          );
        } catch (err) {
          if (ctx.signal.aborted) return;
          throw statusError(status.UNKNOWN, `error pulling image: ${(err as Error).message}`);
        }
        node.markPulled(req.imageRef);
        send({ response: { $case: "name", value: req.imageRef } });
      },
    ),
  };
}

export function lifecycleService(d: Director): LifecycleServiceServer & UntypedServiceImplementation {
  return {
    upgrade: d.streamRaw(
      "/machine.LifecycleService/Upgrade",
      async (req, ctx, send: (m: LifecycleServiceUpgradeResponse) => void) => {
        requireLifecycleApi(ctx, "machine.LifecycleService");
        const { node, fleet } = ctx;
        const image = req.source?.imageName ?? "";
        const call = recordUpgradeCall(node, "LifecycleService.Upgrade", image);
        if (node.installing || node.sequence === "upgrade") {
          endUpgradeCall(call, "refused", "another installation/upgrade is already in progress");
          throw statusError(
            status.FAILED_PRECONDITION,
            "another installation/upgrade is already in progress",
          );
        }
        const line = (message: string) =>
          send({ progress: { response: { $case: "message", value: `${message}\n` } } });
        const exit = (code: number) => send({ progress: { response: { $case: "exitCode", value: code } } });
        node.installing = true;
        try {
          if (!node.pulledImages?.has(image)) {
            try {
              fleet.registry.resolve(image);
            } catch (err) {
              endUpgradeCall(call, "refused", (err as Error).message);
              line(`error: failed to get image "${image}": ${(err as Error).message}`);
              exit(1);
              return;
            }
            line(`pulling installer image ${image}`);
            await fleet.registry.pull(image, undefined, ctx.signal);
            node.markPulled(image);
          }
          const tag = installerTag(image);
          const steps = [
            `running installer ${image}`,
            `installer version: ${tag}`,
            "validating install disk /dev/sda",
            "fetching extensions",
            "creating boot partition images",
            "installing bootloader to /dev/sda",
            `installed Talos ${tag} to partition B`,
            "setting next boot entry to B",
          ];
          const failAt = node.faults.upgradeFailAt;
          for (const [i, step] of steps.entries()) {
            await fleet.clock.sleep(15_000 / steps.length, ctx.signal);
            if (failAt && i === 4) {
              delete node.faults.upgradeFailAt;
              endUpgradeCall(call, "failed", "the installer exited with code 1");
              line("error: failed to install bootloader: write /dev/sda2: input/output error");
              exit(1);
              return;
            }
            line(step);
          }
          node.installedImage = image;
          endUpgradeCall(call, "installed");
          exit(0);
        } catch (err) {
          if (ctx.signal.aborted)
            endUpgradeCall(call, "cancelled", "the caller went away during the install");
          else endUpgradeCall(call, "failed", (err as Error).message);
          throw err;
        } finally {
          node.installing = false;
        }
      },
    ),
  };
}
