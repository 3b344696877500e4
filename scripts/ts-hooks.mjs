// Node module-customization hooks: load `.ts` files through esbuild's transform. `load` is the
// off-thread hook of `module.register()` (Node 20); `loadSync` the in-thread one of
// `module.registerHooks()` (Node 22.15+). See scripts/register.mjs.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform, transformSync } from "esbuild";

/** esbuild's options for one `.ts` file at `path`. */
function options(path) {
  return { loader: "ts", format: "esm", target: "es2022", sourcefile: path, sourcemap: "inline" };
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { code } = await transform(await readFile(path, "utf8"), options(path));
  return { format: "module", source: code, shortCircuit: true };
}

export function loadSync(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { code } = transformSync(readFileSync(path, "utf8"), options(path));
  return { format: "module", source: code, shortCircuit: true };
}
