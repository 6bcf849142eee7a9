// Import rules of the codebase (docs/architecture.md, "Layers"), checked by `npm run lint:imports`
// (part of `npm test`). server/ is layered; each layer imports only the ones below it:
//   model → platform → talos → kubernetes → access → features → api → startup, cli, main.ts
// Features are ordered too (FEATURES, lowest first), so no two feature folders import each other.
// The browser side of app/ imports only server/model (and types, which never reach the browser); the
// simulator (sim/) shares only proto/ with Minos, which uses it through sim/index.ts.

/** Feature folders, lowest first: each may import only those before it. */
const FEATURES = [
  "health",
  "events",
  "users",
  "credentials",
  "kubernetes",
  "drift",
  "inventory",
  "logs",
  "collector",
  "fleet",
  "rollouts",
  "demo",
];

/** Layers of server/, lowest first. */
const LAYERS = [
  ["model", "^server/model/"],
  ["platform", "^server/platform/"],
  ["talos", "^server/talos/"],
  ["kubernetes", "^server/kubernetes/"],
  ["access", "^server/access/"],
  ["features", "^server/features/"],
  ["api", "^server/api/"],
  ["entry", "^server/(startup/|cli/|main\\.ts$)"],
];

const testFile = "(\\.test\\.tsx?$|^server/testing/|^e2e/|^bench/)";

const layerRules = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `${name}-imports-downward`,
  comment: `${name} may import only ${
    LAYERS.slice(0, i)
      .map(([n]) => n)
      .join(", ") || "nothing else in server/"
  }`,
  severity: "error",
  from: { path, pathNot: testFile },
  to: {
    path: LAYERS.slice(i + 1)
      .map(([, p]) => `(${p})`)
      .join("|"),
  },
}));

const featureRules = FEATURES.map((feature, i) => ({
  name: `feature-${feature}-imports-lower-features`,
  comment: `features/${feature} may import only the features before it: ${FEATURES.slice(0, i).join(", ") || "none"}`,
  severity: "error",
  from: { path: `^server/features/${feature}/`, pathNot: testFile },
  to: {
    path: "^server/features/",
    pathNot: [`^server/features/${feature}/`, ...FEATURES.slice(0, i).map((f) => `^server/features/${f}/`)],
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    ...featureRules,
    {
      name: "features-are-ordered",
      comment: `every folder of server/features is in FEATURES (${FEATURES.join(", ")})`,
      severity: "error",
      from: { path: "^server/features/", pathNot: FEATURES.map((f) => `^server/features/${f}/`) },
      to: {},
    },
    {
      name: "model-is-browser-safe",
      comment: "server/model runs in the browser too: no Node built-ins, no server-side packages",
      severity: "error",
      from: { path: "^server/model/", pathNot: testFile },
      to: {
        dependencyTypes: ["core", "npm", "npm-dev"],
        pathNot: "node_modules/(zod|yaml|re2js)/",
      },
    },
    {
      name: "browser-imports-model-only",
      comment:
        "app/ outside its route handlers (app/api) and server components that read server settings imports from server/ only server/model, or types",
      severity: "error",
      from: { path: "^app/", pathNot: ["^app/api/", "^app/login/page\\.tsx$", testFile] },
      to: { path: "^server/", pathNot: "^server/model/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "server-does-not-import-app",
      comment: "server code does not import app/ (the UI sits above the server); tests may",
      severity: "error",
      from: { path: "^server/", pathNot: testFile },
      to: { path: "^app/" },
    },
    {
      name: "test-helpers-stay-in-tests",
      comment: "server/testing is for tests, benchmarks and browser tests only",
      severity: "error",
      from: { pathNot: testFile },
      to: { path: "^server/testing/" },
    },
    {
      name: "simulator-through-its-entry",
      comment: "Minos uses the simulator only through sim/index.ts",
      severity: "error",
      from: { pathNot: "^sim/" },
      to: { path: "^sim/", pathNot: "^sim/index\\.ts$" },
    },
    {
      name: "simulator-is-its-own-program",
      comment: "the simulator shares only proto/ with Minos",
      severity: "error",
      from: { path: "^sim/" },
      to: { path: "^(server|app)/" },
    },
    {
      name: "no-circular",
      comment: "no import cycles between modules (a cycle of type imports alone is erased at run time)",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(proto/generated|server/platform/db/generated)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      extensions: [".ts", ".tsx", ".js", ".mjs"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
