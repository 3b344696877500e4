/**
 * Environment variable substitution in configuration files (spec: configuration/data-model.md,
 * "Environment variable substitution"): `${NAME}`, `${env:NAME}` and `${NAME:-default}` in
 * scalar values, `$$` for a literal `$`. The input is read left to right: each `$$` is an escape
 * whose resolved `$` never starts a reference, and only the text between escapes is matched
 * against references. Values are inserted verbatim (no recursive substitution), and the caller
 * types the result afterwards (a plain `${PORT}` can become an integer).
 */
import type { EnvRecord } from "../common/env.ts";

/** A reference: `${`, optional `env:`, the name, an optional `:-` default without `}`, `}`. */
const REFERENCE = /\$\{([^}\n]*)\}/g;
const VALID = /^(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?$/;

/**
 * `text` with every reference replaced by its variable from `env` (the default when the variable
 * is unset or empty; nothing when it has no default). Throws a TypeError through `invalid` for a
 * `${...}` that is not a valid reference (e.g. `${1A}`, `${A:?err}`): the spec forbids a partial
 * result.
 */
export function substituteEnv(text: string, env: EnvRecord | undefined, invalid: (reference: string) => never): string {
  if (!text.includes("$")) return text;
  let out = "";
  let from = 0;
  for (let escape = text.indexOf("$$"); escape !== -1; escape = text.indexOf("$$", from)) {
    out += replaceReferences(text.slice(from, escape), env, invalid) + "$";
    from = escape + 2;
  }
  return out + replaceReferences(text.slice(from), env, invalid);
}

function replaceReferences(segment: string, env: EnvRecord | undefined, invalid: (reference: string) => never): string {
  return segment.replace(REFERENCE, (reference, inner: string) => {
    const match = VALID.exec(inner);
    if (!match) invalid(reference);
    const value = env?.[match[1]!];
    return typeof value === "string" && value !== "" ? value : (match[2] ?? "");
  });
}
