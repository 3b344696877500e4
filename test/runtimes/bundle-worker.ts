/**
 * Bundles a test Worker the way wrangler does (workerd/worker/browser conditions, neutral
 * platform, ESM) and checks that `otel-edge` resolved to its Workers bundle, not the Node or
 * core one. Shared by every suite that runs a Worker in miniflare.
 */
import { build } from "esbuild";
import * as assert from "uvu/assert";

/** The bundled Worker source, ready for miniflare's `modules`. */
export async function bundleWorker(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((p) => p.endsWith("dist/workers.js")), `otel-edge resolved to ${inputs.filter((p) => p.includes("dist/")).join(", ")}`);
  assert.not.ok(inputs.some((p) => p.endsWith("dist/node.js") || p.endsWith("dist/mod.js")), "the Node or core entry was bundled");
  return result.outputFiles[0]!.text;
}
