// Test-only: until the other layers of bench/lean are merged, an import of a missing
// bench/lean/<module>.ts resolves to test/lean/standins/<module>.ts (minimal stand-ins written
// against the seams in bench/lean/README.md). Once the real module exists, it is used.
// Loaded by `// @node-flags: --import=./test/lean/standins/register.mjs` in a suite's header.
import * as nodeModule from "node:module";
import { resolveSync } from "./hooks.mjs";

if (typeof nodeModule.registerHooks === "function") nodeModule.registerHooks({ resolve: resolveSync });
else nodeModule.register("./hooks.mjs", import.meta.url);
