// `npm test`: the whole suite, in the order that fails fastest — typecheck, lint, import rules, generated-code
// staleness, production build, unit/integration tests (vitest, real Postgres, real gRPC), then
// browser tests (Playwright in Chromium against the build started as `npm start` starts it).
// Ends with one line "N passed, N failed" summing the test runners.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const reports = path.join(root, "e2e", "artifacts");
mkdirSync(reports, { recursive: true });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

const vitestJson = path.join(reports, "vitest.json");
const playwrightJson = path.join(reports, "playwright.json");

const steps = [
  { name: "typecheck", cmd: ["npx", "tsc", "--noEmit"] },
  { name: "lint", cmd: ["npx", "biome", "check", "."] },
  { name: "import rules", cmd: ["npm", "run", "--silent", "lint:imports"] },
  {
    name: "generated code is current",
    cmd: ["node", "scripts/proto-generate.mjs", "--check"],
    when: "scripts/proto-generate.mjs",
  },
  { name: "build", cmd: ["npx", "next", "build"] },
  {
    name: "unit and integration tests",
    cmd: ["npx", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`],
  },
  {
    name: "browser tests",
    cmd: ["npx", "playwright", "test"],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson },
  },
];

function counts() {
  let passed = 0;
  let failed = 0;
  if (existsSync(vitestJson)) {
    const v = JSON.parse(readFileSync(vitestJson, "utf8"));
    passed += v.numPassedTests ?? 0;
    failed += v.numFailedTests ?? 0;
  }
  if (existsSync(playwrightJson)) {
    const p = JSON.parse(readFileSync(playwrightJson, "utf8"));
    passed += (p.stats?.expected ?? 0) + (p.stats?.flaky ?? 0);
    failed += p.stats?.unexpected ?? 0;
  }
  return { passed, failed };
}

const started = Date.now();
for (const step of steps) {
  if (step.when && !existsSync(path.join(root, step.when))) continue;
  console.log(`\n=== ${step.name}: ${step.cmd.join(" ")}`);
  const t = Date.now();
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), {
    cwd: root,
    stdio: "inherit",
    env: { ...env, ...step.env },
  });
  const secs = ((Date.now() - t) / 1000).toFixed(1);
  if (r.status !== 0) {
    const { passed, failed } = counts();
    console.error(`\n✗ ${step.name} failed after ${secs} s (exit ${r.status ?? r.signal}).`);
    console.log(`${passed} passed, ${Math.max(failed, 1)} failed`);
    process.exit(1);
  }
  console.log(`✓ ${step.name} (${secs} s)`);
}
const { passed, failed } = counts();
console.log(`\nAll steps passed in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
