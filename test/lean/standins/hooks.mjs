// The resolve hook of register.mjs: in-thread (`resolveSync`, Node 22.15+) or off-thread (`resolve`, Node 20).
import { existsSync } from "node:fs";

const here = new URL("./", import.meta.url);

/** The stand-in for `specifier` when it is a missing sibling module of bench/lean, else undefined. */
function standin(specifier, parentURL) {
  if (!specifier.startsWith("./") || !parentURL?.includes("/bench/lean/")) return;
  const url = new URL(specifier, parentURL);
  const replacement = new URL(specifier.slice(2), here);
  if (!existsSync(url) && existsSync(replacement)) return { url: replacement.href, shortCircuit: true };
}

export const resolveSync = (specifier, context, next) => standin(specifier, context.parentURL) ?? next(specifier, context);
export const resolve = async (specifier, context, next) => standin(specifier, context.parentURL) ?? next(specifier, context);
