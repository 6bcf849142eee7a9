// Saving, removing, importing and exporting baselines; every change recomputes the fleet's drift.

import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import {
  type Baseline,
  type CompiledBaseline,
  compileBaseline,
  exportBaselines,
  importBaselines,
} from "./baseline";
import type { FieldError } from "./config-documents";
import { recomputeDrift } from "./recompute-drift";
import { visibleBaselines } from "./visible-baselines";

export type SaveResult = { ok: true; id: string } | { ok: false; errors: FieldError[] };

export async function listBaselines(db: PrismaClient) {
  return db.baseline.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, description: true, spec: true, updatedAt: true },
  });
}

/** Creates (no id) or replaces a baseline; invalid input comes back as field errors, nothing saved. */
export async function saveBaseline(opts: {
  db: PrismaClient;
  input: { id?: string; name: string; description?: string; spec: unknown };
}): Promise<SaveResult> {
  const { db, input } = opts;
  const { baseline, errors } = compileBaseline({ id: input.id ?? "", ...input });
  if (!baseline) return { ok: false, errors };
  const clash = await db.baseline.findUnique({ where: { name: baseline.name }, select: { id: true } });
  if (clash && clash.id !== input.id) {
    return {
      ok: false,
      errors: [{ field: "name", message: `a baseline named "${baseline.name}" exists already` }],
    };
  }
  const data = {
    name: baseline.name,
    description: input.description ?? "",
    spec: baseline.spec as Prisma.InputJsonValue,
  };
  let id = input.id;
  if (id) {
    const updated = await db.baseline.updateMany({ where: { id }, data });
    if (updated.count === 0)
      throw new AppError("NOT_FOUND", { userMessage: "This baseline no longer exists." });
  } else {
    id = (await db.baseline.create({ data, select: { id: true } })).id;
  }
  await recomputeDrift({ db });
  return { ok: true, id };
}

export async function deleteBaseline(db: PrismaClient, id: string): Promise<void> {
  const r = await db.baseline.deleteMany({ where: { id } });
  if (r.count === 0) throw new AppError("NOT_FOUND", { userMessage: "This baseline no longer exists." });
  await recomputeDrift({ db });
}

/** The baselines the reader sees (visible-baselines.ts) as one YAML file. */
/** The baselines the reader may see: those applying to machines in their scope (visible-baselines.ts). */
export async function listVisibleBaselines({ db, scopes }: { db: PrismaClient; scopes: string[] }) {
  return visibleBaselines(db, scopes, await listBaselines(db));
}

export async function exportBaselinesFile({
  db,
  scopes,
}: {
  db: PrismaClient;
  scopes: string[];
}): Promise<string> {
  const rows = await listVisibleBaselines({ db, scopes });
  const baselines: Baseline[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
    spec: r.spec as Baseline["spec"],
  }));
  return exportBaselines(baselines);
}

/** Imports a YAML file: all baselines or none; existing ones with the same name are replaced. */
export async function importBaselinesFile(
  db: PrismaClient,
  text: string,
): Promise<{ ok: true; names: string[] } | { ok: false; errors: FieldError[] }> {
  const { baselines, errors } = importBaselines(text);
  if (errors.length > 0) return { ok: false, errors };
  if (baselines.length === 0)
    return { ok: false, errors: [{ field: "", message: "the file holds no baseline" }] };
  await db.$transaction(
    baselines.map((b: CompiledBaseline) =>
      db.baseline.upsert({
        where: { name: b.name },
        create: { name: b.name, description: b.description ?? "", spec: b.spec as Prisma.InputJsonValue },
        update: { description: b.description ?? "", spec: b.spec as Prisma.InputJsonValue },
      }),
    ),
  );
  await recomputeDrift({ db });
  return { ok: true, names: baselines.map((b) => b.name) };
}
