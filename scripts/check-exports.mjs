// Checks that package.json (npm) and deno.json (JSR) publish the same entry points, that
// every npm entry has `types` and points at files the build produced, and that the version
// is the same in package.json, deno.json and src/version.ts.
import { existsSync, readFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const deno = JSON.parse(readFileSync("deno.json", "utf8"));
const problems = [];

const npmKeys = Object.keys(pkg.exports).filter((k) => k !== "./package.json").sort();
const jsrKeys = Object.keys(deno.exports).sort();
if (JSON.stringify(npmKeys) !== JSON.stringify(jsrKeys)) {
  problems.push(`export keys differ: package.json has ${npmKeys.join(", ")}; deno.json has ${jsrKeys.join(", ")}`);
}
for (const key of npmKeys) {
  const target = pkg.exports[key];
  if (typeof target !== "object" || !target.types) problems.push(`package.json export "${key}" has no "types" condition`);
  // "types" must be the first condition TypeScript can match: first in the map, or — for
  // `.`, whose runtime conditions each carry their own `types` so a Node/Workers/browser
  // user gets that entry's declarations — first in every nested runtime condition.
  const nested = Object.entries(target).filter(([, value]) => typeof value === "object");
  if (typeof target === "object" && Object.keys(target)[0] !== "types" && nested.length === 0) problems.push(`package.json export "${key}": "types" must come first`);
  for (const [condition, value] of nested) {
    if (Object.keys(value)[0] !== "types") problems.push(`package.json export "${key}" → ${condition}: "types" must come first`);
  }
  const files = Object.entries(target).flatMap(([condition, value]) =>
    typeof value === "object" ? Object.entries(value).map(([inner, file]) => [`${condition}.${inner}`, file]) : [[condition, value]],
  );
  for (const [condition, file] of files) {
    if (!existsSync(file)) problems.push(`package.json export "${key}" → ${condition}: ${file} does not exist (run npm run build)`);
  }
  if (!existsSync(deno.exports[key] ?? "")) problems.push(`deno.json export "${key}": ${deno.exports[key]} does not exist`);
}
const versionTs = readFileSync("src/version.ts", "utf8").match(/VERSION: string = "([^"]+)"/)?.[1];
if (pkg.version !== deno.version || pkg.version !== versionTs) {
  problems.push(`versions differ: package.json ${pkg.version}, deno.json ${deno.version}, src/version.ts ${versionTs}`);
}
if (Object.keys(pkg.dependencies ?? {}).length || Object.keys(pkg.peerDependencies ?? {}).length) {
  problems.push("package.json declares runtime dependencies; the SDK must have none");
}
if (problems.length) {
  console.error("export map check failed:\n- " + problems.join("\n- "));
  process.exit(1);
}
console.log(`export maps agree: ${npmKeys.join(", ")} (version ${pkg.version})`);
