// Bundle sizes side by side (issue 16): each program of scripts/size.mjs (ours, bundled from
// source as the user's tool bundles it) beside the same job written with each incumbent's
// newest packages (bench/programs.mjs), bundled by the same `measure()` with the same esbuild
// and tool settings, measured in one run. Ratio = ours ÷ incumbent (gzip -9); below 1 = ours
// is smaller.
//
// Usage: node bench/sizes.mjs [--json]   (installs nothing: run `node bench/install.mjs` first)
import { existsSync } from "node:fs";
import { measure, measureProgram, programs } from "../scripts/size.mjs";
import { incumbentPrograms } from "./programs.mjs";

const benchDir = new URL(".", import.meta.url).pathname;

/** The folder an incumbent's packages resolve from. */
export const incumbentDir = (dir) => (dir === "." ? benchDir : `${benchDir}incumbents/${dir}/`);

/**
 * Bundles an incumbent program with the settings of our program's tool. `overrides` as in
 * `measure()` (cold start adds a banner and keeps the code).
 */
export function measureIncumbent(incumbent, tool, overrides = {}) {
  const resolveDir = incumbentDir(incumbent.dir);
  if (!existsSync(`${resolveDir}node_modules`)) throw new Error(`${resolveDir} is not installed: run node bench/install.mjs`);
  return measure(incumbent.source, tool, {
    stdin: { contents: incumbent.source, resolveDir, sourcefile: `${incumbent.dir}-program.mjs`, loader: "js" },
    external: ["node:*", ...(incumbent.external ?? [])],
    // esbuild drops its default `module` condition once `conditions` is set (the Workers tool);
    // the incumbents' best build is their ESM one, and ours resolves with `module` active too
    // (scripts/size.mjs, activeConditions).
    ...(tool === "workers" ? { conditions: ["workerd", "worker", "browser", "module"] } : {}),
    ...overrides,
  });
}

/**
 * Rows `{ name, tool, target, ours: {min, gzip}, incumbents: [{ name, dir, note, min, gzip } | { name, error }] }`.
 */
export async function sizes() {
  const rows = [];
  for (const [name, program] of Object.entries(programs)) {
    const ours = await measureProgram(name);
    const incumbents = [];
    for (const incumbent of incumbentPrograms[name] ?? []) {
      try {
        const m = await measureIncumbent(incumbent, program.tool);
        incumbents.push({ name: incumbent.name, dir: incumbent.dir, note: incumbent.note, min: m.min, gzip: m.gzip });
      } catch (e) {
        incumbents.push({ name: incumbent.name, dir: incumbent.dir, error: String(e.message ?? e).split("\n").slice(0, 3).join(" ") });
      }
    }
    rows.push({ name, tool: program.tool, target: program.target, ours: { min: ours.min, gzip: ours.gzip }, incumbents });
  }
  return rows;
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** Markdown table: one line per (program, incumbent); ratio = ours ÷ incumbent on gzip. */
export function sizeTable(rows) {
  const lines = [
    "| program (gzip -9) | bundled as | ours | target | incumbent | incumbent size | ours ÷ incumbent |",
    "|---|---|---:|---:|---|---:|---:|",
  ];
  for (const r of rows) {
    const cells = r.incumbents.length > 0 ? r.incumbents : [{ name: "—" }];
    for (const i of cells) {
      const size = i.error ? `error: ${i.error}` : i.gzip ? `${kb(i.gzip)} (${i.gzip} B)` : "—";
      const ratio = i.gzip ? (r.ours.gzip / i.gzip).toFixed(2) : "—";
      lines.push(`| ${r.name} | ${r.tool} | ${kb(r.ours.gzip)} (${kib(r.ours.gzip)}) | ${kib(r.target)} | ${i.name} | ${size} | ${ratio} |`);
    }
  }
  return lines;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const rows = await sizes();
  if (process.argv.includes("--json")) console.log(JSON.stringify(rows, null, 2));
  else {
    console.log(sizeTable(rows).join("\n"));
    const notes = rows.flatMap((r) => r.incumbents.filter((i) => i.note).map((i) => `- ${r.name}, ${i.name}: ${i.note}`));
    if (notes.length) console.log(`\n${notes.join("\n")}`);
  }
}
