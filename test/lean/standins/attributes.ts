// Stand-in for bench/lean/attributes.ts (tests only): keeps valid attribute values.
import type { Attributes } from "../../../bench/lean/contract.ts";

export function sanitizeAttributes(input: unknown): Attributes {
  const out: Attributes = {};
  for (const key of Object.keys((input as object) ?? {})) {
    try {
      const v = (input as Record<string, unknown>)[key];
      if (typeof v == "string" || typeof v == "number" || typeof v == "boolean" || Array.isArray(v)) out[key] = v as never;
    } catch {}
  }
  return out;
}
