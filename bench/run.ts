// The one entry point for benchmarks: runs every suite in bench/suites/ (or those named on the
// command line), prints a table and writes the figures to bench/results/latest.json.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BenchMetric, BenchSuite } from "./suite";

async function loadSuites(dir: string): Promise<BenchSuite[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".ts")).sort();
  const suites: BenchSuite[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: BenchSuite };
    suites.push(mod.default);
  }
  return suites;
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const all = await loadSuites(path.join(import.meta.dirname, "suites"));
  const unknown = only.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(`Unknown suite(s): ${unknown.join(", ")}. Known: ${all.map((s) => s.name).join(", ")}`);
    process.exit(2);
  }
  const suites = only.length > 0 ? all.filter((s) => only.includes(s.name)) : all;
  const results: Record<string, Omit<BenchMetric, "name"> & { suite: string }> = {};
  for (const suite of suites) {
    console.log(`\n▶ ${suite.name}: ${suite.description}`);
    const started = performance.now();
    const metrics = await suite.run();
    for (const m of metrics) {
      results[m.name] = { suite: suite.name, value: m.value, unit: m.unit, params: m.params ?? {} };
    }
    console.log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const width = Math.max(6, ...Object.keys(results).map((k) => k.length));
  console.log(`\n${"metric".padEnd(width)}  ${"value".padStart(14)}  unit`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(width)}  ${formatValue(r.value).padStart(14)}  ${r.unit}`);
  }
  const out = path.join(import.meta.dirname, "results", "latest.json");
  await mkdir(path.dirname(out), { recursive: true });
  const report = {
    createdAt: new Date().toISOString(),
    command: `npm run bench${only.length ? ` -- ${only.join(" ")}` : ""}`,
    machine: {
      cpus: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    metrics: results,
  };
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nSaved ${Object.keys(results).length} figures to bench/results/latest.json`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
