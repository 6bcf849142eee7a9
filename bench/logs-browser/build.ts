// Builds the viewer harness into a directory: the page, its script (esbuild, production React) and
// the app's stylesheet (Tailwind over app/, as the app's build makes it).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import tailwind from "@tailwindcss/postcss";
import { build } from "esbuild";
import postcss from "postcss";

const ROOT = path.resolve(import.meta.dirname, "../..");

export async function buildHarness(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(import.meta.dirname, "harness.tsx")],
    bundle: true,
    minify: process.env.HARNESS_MINIFY !== "0",
    format: "esm",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    outfile: path.join(outDir, "harness.js"),
    logLevel: "warning",
  });
  const cssFile = path.join(ROOT, "app/globals.css");
  const css = await postcss([tailwind({ base: ROOT })]).process(await readFile(cssFile, "utf8"), {
    from: cssFile,
  });
  await writeFile(path.join(outDir, "styles.css"), css.css);
  await writeFile(
    path.join(outDir, "index.html"),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log viewer harness</title>' +
      '<link rel="stylesheet" href="styles.css"></head><body><div id="root"></div>' +
      '<script type="module" src="harness.js"></script></body></html>',
  );
}
