/**
 * OTel → Prometheus name mapping, following the compatibility spec
 * (https://opentelemetry.io/docs/specs/otel/compatibility/prometheus_and_openmetrics/,
 * "OTLP Metric points to Prometheus"): metric names and label keys are sanitized, the
 * UCUM unit becomes a word suffix, and monotonic sums get `_total`.
 */
import type { AttributeValue, Attributes } from "../../common/attributes.ts";

// Spec, "Metric Metadata": metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; labels [a-zA-Z_][a-zA-Z0-9_]*.
const INVALID_METRIC_CHARS = /[^a-zA-Z0-9_:]+/g;
const INVALID_LABEL_CHARS = /[^a-zA-Z0-9_]+/g;
const REPEATED_UNDERSCORES = /__+/g;

/**
 * Makes `name` a valid Prometheus metric name: every run of invalid characters becomes
 * one `_`, repeated `_` collapse to one (spec: "Multiple consecutive `_` characters MUST be
 * replaced with a single `_`"), and a leading digit gets a `_` prefix.
 */
export function sanitizeMetricName(name: string): string {
  return sanitize(name, INVALID_METRIC_CHARS);
}

/**
 * Makes `key` a valid Prometheus label name (spec, "Metric Attributes"). Collapsing repeated
 * underscores also means no result starts with `__`, the prefix Prometheus reserves for
 * internal labels.
 */
export function sanitizeLabelKey(key: string): string {
  return sanitize(key, INVALID_LABEL_CHARS);
}

/** The rules metric names and label keys share, with their own set of `invalid` characters. */
function sanitize(text: string, invalid: RegExp): string {
  const out = text.replace(invalid, "_").replace(REPEATED_UNDERSCORES, "_");
  if (out === "") return "_";
  const c = out.charCodeAt(0);
  return c >= 48 && c <= 57 ? "_" + out : out;
}

// UCUM units used by OTel semantic conventions → Prometheus base-unit words (the table
// the Collector's translator and the other SDKs share).
const UNIT_WORDS: Record<string, string> = {
  d: "days", h: "hours", min: "minutes", s: "seconds", ms: "milliseconds", us: "microseconds", ns: "nanoseconds",
  By: "bytes", KiBy: "kibibytes", MiBy: "mebibytes", GiBy: "gibibytes", TiBy: "tibibytes",
  KBy: "kilobytes", MBy: "megabytes", GBy: "gigabytes", TBy: "terabytes",
  B: "bytes", KB: "kilobytes", MB: "megabytes", GB: "gigabytes", TB: "terabytes",
  m: "meters", V: "volts", A: "amperes", J: "joules", W: "watts", g: "grams",
  Cel: "celsius", Hz: "hertz", "%": "percent", "1": "ratio",
};
// Denominators of "a/b" units are singular: m/s → meters_per_second.
const PER_UNIT_WORDS: Record<string, string> = {
  s: "second", m: "minute", h: "hour", d: "day", w: "week", mo: "month", y: "year",
};

const ANNOTATIONS = /\{[^}]*\}/g;

/**
 * Converts an OTel (UCUM) unit to the Prometheus unit word used as UNIT metadata and name
 * suffix, or `""` for none. `{packets}`-style annotations are dropped (a count of things is
 * unitless in Prometheus); `1` becomes `ratio` only for gauges (spec); `a/b` becomes
 * `a_per_b`; unknown units are kept, sanitized.
 */
export function unitToSuffix(unit: string, isGauge: boolean): string {
  const u = unit.replace(ANNOTATIONS, "").trim();
  if (u === "") return "";
  if (u === "1") return isGauge ? "ratio" : "";
  const slash = u.indexOf("/");
  if (slash >= 0) {
    const num = u.slice(0, slash).trim();
    const den = u.slice(slash + 1).trim();
    const a = num === "" || num === "1" ? "" : unitWord(num, UNIT_WORDS);
    const b = den === "" ? "" : unitWord(den, PER_UNIT_WORDS);
    if (b === "") return a;
    return a === "" ? "per_" + b : a + "_per_" + b;
  }
  return unitWord(u, UNIT_WORDS);
}

function unitWord(u: string, table: Record<string, string>): string {
  if (Object.prototype.hasOwnProperty.call(table, u)) return table[u]!;
  return u.replace(INVALID_LABEL_CHARS, "_").replace(REPEATED_UNDERSCORES, "_").replace(/^_|_$/g, "");
}

/** The Prometheus names of one OTel metric. */
export interface PrometheusNames {
  /** Family name (for OpenMetrics `# TYPE`; counters without `_total`). */
  readonly family: string;
  /** The unit word (`""` when none), already the suffix of `family`. */
  readonly unit: string;
}

/**
 * Maps an OTel metric name and unit to Prometheus names (spec, "Metric Metadata"): the
 * sanitized name, plus the unit word as a suffix unless the name already ends with it
 * (OpenMetrics requires the unit to be the suffix). For counters (`isCounter`) a trailing
 * `_total` is removed first, so that the unit comes before the type suffix
 * (`http.requests_total` + `s` → family `http_requests_seconds`, sample `…_seconds_total`).
 * `withoutUnits` leaves the unit out of the name (and metadata).
 */
export function mapMetricName(name: string, unit: string, kind: "counter" | "gauge" | "other", withoutUnits = false): PrometheusNames {
  // A name without one valid character sanitizes to "_", whose suffixed series ("__total",
  // "__bucket") would start with the "__" Prometheus reserves: give it a word instead.
  let family = sanitizeMetricName(name);
  if (family === "_") family = "unnamed";
  if (kind === "counter" && family.endsWith("_total") && family.length > 6) family = family.slice(0, -6);
  const word = withoutUnits ? "" : unitToSuffix(unit, kind === "gauge");
  // Joined with one "_" (a sanitized name may end in "_", e.g. "_" for an empty one): repeated
  // underscores would break the spec's collapsing rule, and a leading "__" is reserved.
  if (word !== "" && family !== word && !family.endsWith("_" + word)) family = family.endsWith("_") ? family + word : family + "_" + word;
  return { family, unit: word };
}

/**
 * Converts an attribute value to a label value (spec: non-string values follow the
 * attribute spec — numbers and booleans as text, arrays as JSON).
 */
export function labelValueOf(value: AttributeValue): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** Escapes a label value for both text formats: `\` → `\\`, `"` → `\"`, newline → `\n`. */
export function escapeLabelValue(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 34 || c === 10) return value.replace(/[\\"\n]/g, escapeChar);
  }
  return value;
}

function escapeChar(c: string): string {
  return c === "\n" ? "\\n" : "\\" + c;
}

/**
 * Escapes HELP text. Text format 0.0.4 escapes only `\` and newline; OpenMetrics also
 * escapes `"`.
 */
export function escapeHelp(text: string, openMetrics: boolean): string {
  return text.replace(openMetrics ? /[\\"\n]/g : /[\\\n]/g, escapeChar);
}

const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 4096;

/** {@link sanitizeLabelKey} with a bounded cache: attribute keys repeat across every scrape. */
export function cachedLabelKey(key: string): string {
  let out = keyCache.get(key);
  if (out === undefined) {
    out = sanitizeLabelKey(key);
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(key, out);
  }
  return out;
}

/**
 * Converts attributes to label pairs `key="escaped value"` joined by `,` (no braces).
 * Keys that collide after sanitizing are merged: values joined by `;` in the
 * lexicographical order of the original keys (spec, "Metric Attributes"). Keys in
 * `reserved` (labels the renderer adds itself, like `le`) are skipped and reported through
 * `onReserved`.
 */
export function renderLabelPairs(attributes: Attributes, reserved?: ReadonlySet<string>, onReserved?: (key: string) => void): string {
  let out = "";
  const labels: string[] = [];
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const value = attributes[key];
    if (value === undefined) continue;
    const label = cachedLabelKey(key);
    if (reserved !== undefined && reserved.has(label)) {
      onReserved?.(key);
      continue;
    }
    // Attribute sets are small: a linear scan is cheaper than a Set per data point.
    if (labels.indexOf(label) >= 0) return mergedLabelPairs(attributes, reserved);
    labels.push(label);
    out += (out === "" ? "" : ",") + label + '="' + escapeLabelValue(labelValueOf(value)) + '"';
  }
  return out;
}

// Rare path: some keys collide after sanitizing.
function mergedLabelPairs(attributes: Attributes, reserved?: ReadonlySet<string>): string {
  const groups = new Map<string, Array<[string, string]>>();
  for (const key of Object.keys(attributes).sort()) {
    const value = attributes[key];
    if (value === undefined) continue;
    const label = cachedLabelKey(key);
    if (reserved !== undefined && reserved.has(label)) continue;
    let group = groups.get(label);
    if (group === undefined) groups.set(label, (group = []));
    group.push([key, labelValueOf(value)]);
  }
  let out = "";
  for (const [label, pairs] of groups) {
    out += (out === "" ? "" : ",") + label + '="' + escapeLabelValue(pairs.map((p) => p[1]).join(";")) + '"';
  }
  return out;
}
