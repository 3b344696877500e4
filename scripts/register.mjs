// Lets Node run the TypeScript sources and tests directly: `node --import ./scripts/register.mjs file.ts`.
// The hook strips types with esbuild (no type-checking here; `npm run typecheck` does that).
import { register } from "node:module";
register("./ts-hooks.mjs", import.meta.url);
