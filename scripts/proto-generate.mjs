// Generates proto/generated/ from proto/ (buf + ts-proto); with --check, fails when the committed output is stale.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outRelative = path.join("proto", "generated");
const committedDir = path.join(root, outRelative);
const header = "// generated — do not edit. Source: proto/ · regenerate with `npm run proto:generate`.\n";
const check = process.argv.includes("--check");

/** Relative paths of every file below dir, sorted, "/"-separated. */
function listFiles(dir, prefix = "") {
  if (!existsSync(dir)) return [];
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...listFiles(path.join(dir, entry.name), rel));
    else files.push(rel);
  }
  return files.sort();
}

/** Runs buf into a fresh temp dir and returns generated files as a map of relative path -> content. */
function generate() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "minos-proto-"));
  try {
    const buf = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "buf.cmd" : "buf");
    execFileSync(buf, ["generate", "--template", "buf.gen.yaml", "-o", tmp], { cwd: root, stdio: "inherit" });
    const outDir = path.join(tmp, outRelative);
    const files = new Map();
    for (const rel of listFiles(outDir)) {
      files.set(rel, header + readFileSync(path.join(outDir, rel), "utf8"));
    }
    if (files.size === 0) throw new Error("buf generate produced no files");
    return files;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const fresh = generate();
const committed = new Set(listFiles(committedDir));

if (check) {
  const stale = [];
  for (const [rel, content] of fresh) {
    const file = path.join(committedDir, rel);
    if (!committed.has(rel)) stale.push(`${rel} (missing)`);
    else if (readFileSync(file, "utf8") !== content) stale.push(`${rel} (differs)`);
  }
  for (const rel of committed) if (!fresh.has(rel)) stale.push(`${rel} (no longer generated)`);
  if (stale.length > 0) {
    console.error(`Generated protobuf code in ${outRelative}/ is stale:`);
    for (const line of stale) console.error(`  ${line}`);
    console.error("Run `npm run proto:generate` and commit the result.");
    process.exit(1);
  }
  console.log(`${outRelative}/ is up to date (${fresh.size} files).`);
} else {
  for (const rel of committed) if (!fresh.has(rel)) rmSync(path.join(committedDir, rel));
  for (const [rel, content] of fresh) {
    const file = path.join(committedDir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  console.log(`Wrote ${fresh.size} files to ${outRelative}/.`);
}
