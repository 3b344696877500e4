// Tree-shaking of the published bundles (dist/, what npm users install). `dist/` is bundled
// with shared chunks, so a bundler cannot drop whole source files there as it does from
// source (`sideEffects: false`): it keeps every module-level statement that might have a side
// effect — a call (`Object.freeze(...)`, `createContextKey(...)`, `new Set([...])`), a
// property read (`SpanKind.SERVER`), a loop. Each such statement drags the code it references
// into every user's bundle. Module-level values are therefore built by calls marked
// `/* @__PURE__ */` or written as literals; these tests fail, naming what was kept, when a new
// one slips in. Before this, a program using only `BasicTracerProvider` bundled to 37 KB from
// dist/ against 22 KB from source, and `import { SpanKind }` alone to 22 KB.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { measure, programs } from "../scripts/size.mjs";


/**
 * `contents` bundled the way a user's bundler would, as scripts/size.mjs measures it (`tool`,
 * from the sources or from `dist/`): minified, or (`readable`) with syntax minification only —
 * constants folded, dead code dropped, one declaration per line under its original name.
 */
async function bundle(contents: string, { tool = "neutral", from = "source", readable = false }: { tool?: string; from?: string; readable?: boolean } = {}): Promise<string> {
  const { code } = await measure(contents, tool, readable ? { minify: false, minifySyntax: true } : {}, from);
  return new TextDecoder().decode(code);
}

/** The module-level declarations left in a readable bundle. */
function declarations(code: string): string[] {
  return [...code.matchAll(/^(?:var|let|const|function|async function|class) ([\w$]+)/gm)].map((m) => m[1]!);
}

// What an entry keeps by design when only a constant is imported: the Workers entry looks for
// AsyncLocalStorage at load (top-level await, ~400 B minified); the Node and Deno entries
// import their `node:` modules. Anything more means a module-level statement was kept.
const MAX_BYTES_FOR_ONE_CONSTANT = 600;

for (const entry of ["mod", "node", "deno", "workers", "browser", "prometheus", "opentracing"]) {
  test(`importing one constant from dist/${entry}.js keeps little more than that constant`, async () => {
    const name = entry === "prometheus" ? "TEXT_CONTENT_TYPE" : entry === "opentracing" ? "Tags" : "SpanKind";
    const program = `import { ${name} } from "./dist/${entry}.js"; console.log(${name});`;
    const code = await bundle(program);
    if (code.length <= MAX_BYTES_FOR_ONE_CONSTANT) return;
    const kept = declarations(await bundle(program, { readable: true })).filter((d) => d !== name);
    assert.unreachable(`dist/${entry}.js: ${code.length} B minified for one constant; module-level code kept: ${kept.slice(0, 40).join(", ")}`);
  });
}

for (const [name, { source: program, tool }] of Object.entries(programs)) {
  test(`"${name}" bundles as small from dist/ as from the sources`, async () => {
    const [source, dist] = await Promise.all([bundle(program, { tool }), bundle(program, { tool, from: "dist" })]);
    // Same code either way; a few bytes differ in chunk boundaries and renamed identifiers.
    if (dist.length <= source.length * 1.01) return;
    const inSource = new Set(declarations(await bundle(program, { tool, readable: true })));
    const onlyDist = declarations(await bundle(program, { tool, from: "dist", readable: true })).filter((d) => !inSource.has(d));
    assert.unreachable(`from dist/ ${dist.length} B > from source ${source.length} B; kept only from dist: ${onlyDist.slice(0, 40).join(", ")}`);
  });
}

test.run();
