// What a guarantee costs in a lean program: the program bundled as bench/lean/measure.mjs bundles
// it, then once more per guarantee with that guarantee's code cut out of the sources by exact text
// edits (each checked to apply), printing the minified and gzip difference. Shared by the
// *-costs.mjs scripts, which list the cuts.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const here = new URL(".", import.meta.url).pathname;

/** esbuild settings per tool, as measure.mjs (and scripts/size.mjs for the product) bundle. */
export const TOOLS = {
  workers: { conditions: ["workerd", "worker", "browser"], external: ["node:*"] },
  browser: { platform: "browser" },
  node: { platform: "node", external: ["node:*"] },
};

/**
 * An esbuild plugin applying `edits` = `{ "file.ts": [edit, …] }` to bench/lean sources: an edit
 * `[from, to]` replaces the first `from`; `[from, through, to]` replaces the text from `from`
 * through the next `through` after it. Throws when a text is not found (a cut that no longer
 * applies must not measure as 0).
 */
function edited(edits) {
  return {
    name: "edits",
    setup(b) {
      b.onLoad({ filter: /bench\/lean\/[\w-]+\.ts$/ }, (args) => {
        const file = args.path.slice(args.path.lastIndexOf("/") + 1);
        let text = readFileSync(args.path, "utf8");
        for (const edit of edits[file] ?? []) {
          const [from, through, to] = edit.length == 2 ? [edit[0], undefined, edit[1]] : edit;
          const i = text.indexOf(from);
          const k = through === undefined ? i : text.indexOf(through, i + from.length);
          if (i < 0 || k < 0) throw new Error(`${file}: text not found: ${(i < 0 ? from : through).slice(0, 80)}`);
          text = text.slice(0, i) + to + text.slice(through === undefined ? i + from.length : k + through.length);
        }
        return { contents: text, loader: "ts" };
      });
    },
  };
}

async function size(program, tool, edits) {
  const r = await build({
    bundle: true, minify: true, format: "esm", target: "es2022", write: false, legalComments: "none", logLevel: "silent",
    ...TOOLS[tool], entryPoints: [here + program], plugins: [edited(edits)],
  });
  const code = r.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/** Prints `program`'s size, then what each cut of `variants` (`{ name: edits }`) takes off it. */
export async function printCosts(program, tool, variants, what = "guarantee") {
  const base = await size(program, tool, {});
  console.log(`${program}: ${base.min} B min, ${base.gzip} B gzip`);
  console.log(`${what} → bytes it costs in the program (min / gzip)`);
  for (const [name, edits] of Object.entries(variants)) {
    try {
      const s = await size(program, tool, edits);
      console.log(`  ${String(base.min - s.min).padStart(5)} / ${String(base.gzip - s.gzip).padStart(4)}  ${name}`);
    } catch (e) {
      // The sources moved since the cut was written: say so rather than print a wrong figure.
      console.log(`      ? /    ?  ${name} (cut no longer applies: ${String(e.message).split("\n").find((l) => l.includes("not found")) ?? e.message})`);
    }
  }
}
