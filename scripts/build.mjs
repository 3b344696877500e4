// Builds dist/: one ESM bundle per entry (shared code in chunks, so the `otel-edge` and
// `otel-edge/node` entries share one global state), a minified variant of each for size
// reports, and .d.ts files. Then checks that the core bundles for `platform: "neutral"`
// with no `node:` import (DESIGN principle 1).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);

/** Entry name → source file. Keep in step with package.json and deno.json `exports`. */
export const entries = {
  mod: "mod.ts",
  node: "src/runtime/node.ts",
  deno: "src/runtime/deno.ts",
  workers: "src/runtime/workers.ts",
  browser: "src/runtime/browser.ts",
  prometheus: "src/export/prometheus/mod.ts",
  opentracing: "src/opentracing/mod.ts",
};
/** Entries that must not reach a `node:` module. */
export const coreEntries = ["mod", "workers", "browser", "prometheus", "opentracing"];

rmSync("dist", { recursive: true, force: true });

const common = {
  entryPoints: entries,
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  splitting: true,
  external: ["node:*"],
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
  legalComments: "none",
};
await build({ ...common, outdir: "dist" });
await build({ ...common, outdir: "dist/min", minify: true });

// The core on its own, as a user's edge bundler would see it: no externals allowed.
for (const name of coreEntries) {
  const result = await build({
    entryPoints: [entries[name]],
    bundle: true,
    format: "esm",
    platform: "neutral",
    write: false,
    metafile: true,
    logLevel: "silent",
  }).catch((err) => {
    console.error(`The core entry "${name}" does not bundle for platform "neutral":\n${err.message}`);
    process.exit(1);
  });
  const nodeImports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.filter((x) => x.path.startsWith("node:")));
  if (nodeImports.length > 0) {
    console.error(`The core entry "${name}" imports ${nodeImports.map((x) => x.path).join(", ")}; only src/runtime/* may.`);
    process.exit(1);
  }
}

// Declarations (isolatedDeclarations keeps them a fast, per-file transform). The runtime
// entries compile with their runtime's types; the core with none.
for (const project of ["tsconfig.json", "tsconfig.runtime.json"]) {
  execFileSync(
    process.execPath,
    ["node_modules/typescript/bin/tsc", "-p", project, "--noEmit", "false", "--emitDeclarationOnly", "--declaration", "--rootDir", ".", "--outDir", "dist/types"],
    { stdio: "inherit" },
  );
}

// Declarations keep the sources' `.ts` specifiers; consumers resolve `.js` to the `.d.ts`.
for (const file of readdirSync("dist/types", { recursive: true })) {
  if (!String(file).endsWith(".d.ts")) continue;
  const path = join("dist/types", String(file));
  const text = readFileSync(path, "utf8");
  writeFileSync(path, text.replace(/(from\s+["']\.{1,2}\/[^"']*?)\.ts(["'])/g, "$1.js$2"));
}

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
console.log(`built otel-edge ${pkg.version}: ${Object.keys(entries).map((e) => `dist/${e}.js`).join(", ")}`);
