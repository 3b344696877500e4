/**
 * Conversions from OpenTracing's units and value types to OpenTelemetry's (OTel spec
 * "OpenTracing Compatibility": timestamps "a conversion MUST be done to match the OpenTracing
 * and OpenTelemetry units"; tag values of a type "not supported by the OTel API ... MUST be
 * converted to a string").
 */
import { diagOnce } from "../common/diag.ts";
import { sanitizeAttributeValue, type Attributes, type AttributeValue } from "../common/attributes.ts";
import type { HrTime } from "../common/time.ts";

/**
 * OpenTracing's timestamps (milliseconds since the epoch, fractions allowed) as an `HrTime`,
 * which our clock reads as epoch time whatever its size (a bare number under 1e11 would be
 * read as a `performance.now()` value). Undefined, meaning now, for anything else.
 */
export function fromEpochMillis(millis: unknown): HrTime | Date | undefined {
  if (millis instanceof Date) return millis;
  if (typeof millis !== "number" || !Number.isFinite(millis)) return undefined;
  const seconds = Math.floor(millis / 1000);
  return [seconds, Math.round((millis - seconds * 1000) * 1e6)];
}

/**
 * A tag or log value as an attribute value: kept when valid, else its JSON or string form;
 * undefined for null/undefined, and for a value that has neither form (reported once).
 */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === undefined || value === null) return undefined;
  const valid = sanitizeAttributeValue(value);
  if (valid !== undefined) return valid;
  // An Error's fields are not enumerable: its text says more than "{}".
  if (typeof value === "object" && !(value instanceof Error)) {
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) return json;
    } catch {
      // a cycle, a bigint inside: the string form below
    }
  }
  try {
    return String(value);
  } catch {
    diagOnce("warn", "opentracing.value", "OpenTracing: dropped a tag or log value that has no string form (its toString threw).");
    return undefined;
  }
}

/** `fields` (an object of OpenTracing tags or log fields) as attributes, converting each value. */
export function toAttributes(fields: unknown): Attributes {
  const out: Attributes = {};
  if (fields === null || typeof fields !== "object") return out;
  let keys: string[];
  try {
    keys = Object.keys(fields);
  } catch {
    // A revoked Proxy: nothing to record (recording never throws).
    diagOnce("warn", "opentracing.fields", "OpenTracing: dropped tags or log fields that could not be read.");
    return out;
  }
  for (const key of keys) {
    try {
      const value = toAttributeValue((fields as Record<string, unknown>)[key]);
      if (value !== undefined) out[key] = value;
    } catch {
      diagOnce("warn", "opentracing.fields", "OpenTracing: dropped tags or log fields that could not be read.");
    }
  }
  return out;
}
