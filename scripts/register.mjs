// Lets Node run the TypeScript sources and tests directly: `node --import ./scripts/register.mjs file.ts`.
// The hook strips types with esbuild (no type-checking here; `npm run typecheck` does that).
// Node 22.15+ has in-thread `module.registerHooks()`, and Node 26 deprecates `module.register()`
// for it (DEP0205, a warning in every suite's output); Node 20 has only `register()`.
import * as nodeModule from "node:module";
import { loadSync } from "./ts-hooks.mjs";

if (typeof nodeModule.registerHooks === "function") nodeModule.registerHooks({ load: loadSync });
else nodeModule.register("./ts-hooks.mjs", import.meta.url);
