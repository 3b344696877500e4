/**
 * Prometheus text exposition of the size-first core: text format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/) and OpenMetrics 1.0
 * (https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md), with the
 * names, units and labels of the OTel "Prometheus and OpenMetrics Compatibility" spec
 * (https://opentelemetry.io/docs/specs/otel/compatibility/prometheus_and_openmetrics/), as the
 * product renders them (src/export/prometheus/text-format.ts, name-mapping.ts): the same data
 * give the same text, byte for byte (test/lean/prometheus.test.ts).
 *
 * - Names: every run of characters outside `[a-zA-Z0-9_:]` (labels: `[a-zA-Z0-9_]`) becomes one
 *   `_`, repeated `_` collapse (spec: "MUST be replaced with a single `_`"), a leading digit gets
 *   a `_`; so UTF-8 names are sanitized, not quoted (the product's choice: 0.0.4 has no quoting).
 *   The UCUM unit becomes a word suffix (`s` → `_seconds`, `{order}` → none, `1` → `_ratio` on
 *   gauges, `a/b` → `a_per_b`); counters get `_total` (a trailing `_total` moves after the unit).
 * - Labels: attribute keys colliding after sanitizing are merged, values joined by `;` in key
 *   order (spec "Metric Attributes"); attributes named like the labels the renderer sets
 *   (`otel_scope_name`, `otel_scope_version`, `le`) are dropped and reported; values escape `\`,
 *   `"` and newline; HELP escapes `\` and newline (OpenMetrics also `"`).
 * - `target_info` (OpenMetrics: the info family `target`) carries the resource; each series the
 *   `otel_scope_name` / `otel_scope_version` labels; histograms `_bucket{le}` (OpenMetrics: `le`
 *   as a canonical float, `1.0`), `_sum` only when no observation was negative, `_count`.
 * - Dropped, with one report each: delta sums and histograms (no cumulative form without state
 *   the renderer does not keep; spec "MUST be dropped"), a family whose name another family of a
 *   different TYPE (or one of its sample names) already took, a second series with the same
 *   labels after sanitizing (the first is kept).
 * - Rendered in slices of about 64 K characters, with a turn of the event loop before each next
 *   slice ({@link renderStream}), so a scrape of 100k series never holds the server for long.
 *
 * Left out (the lean SDK never produces them, metrics.ts): exemplars, summaries and exponential
 * histograms, histogram points whose bucket counts do not match their boundaries; the product's
 * bounded label-key cache (speed: the key is sanitized at each render).
 */
import type { Attributes } from "./contract.ts";
import type { HistogramValue, MetricData, ResourceMetrics } from "../../src/metrics/types.ts";
import { warnOnce } from "./diag.ts";

/** Options of the renderer (the product's `PrometheusRenderOptions`). */
export interface PrometheusRenderOptions {
  /** Leave out the `otel_scope_name` / `otel_scope_version` labels (spec: SHOULD be configurable). */
  readonly withoutScopeInfo?: boolean;
  /** Leave out `target_info`. */
  readonly withoutTargetInfo?: boolean;
  /** Text 0.0.4 only: no `_total` on counters (OpenMetrics requires it). */
  readonly withoutCounterSuffixes?: boolean;
}

/** A family: [name, TYPE, unit word, HELP, its metrics with their scope labels]. */
type Family = [string, string, string, string, [MetricData, string][]];

const LABEL = /[^a-zA-Z0-9_]+/g;

/** Spec "Metric Metadata": invalid runs → `_`, `_` runs → one, a leading digit prefixed with `_`. */
const sanitize = (text: string, invalid = LABEL): string => {
  const out = text.replace(invalid, "_").replace(/__+/g, "_");
  return out ? (/^\d/.test(out) ? "_" + out : out) : "_";
};

/** UCUM → Prometheus unit words (the table the Collector's translator and the product share); then the singular denominators of `a/b`. */
const words = (list: string): Map<string, string> => new Map(list.split(" ").map((pair) => pair.split(":") as [string, string]));
const UNITS = /* @__PURE__ */ words(
  "d:days h:hours min:minutes s:seconds ms:milliseconds us:microseconds ns:nanoseconds By:bytes KiBy:kibibytes MiBy:mebibytes GiBy:gibibytes TiBy:tibibytes KBy:kilobytes MBy:megabytes GBy:gigabytes TBy:terabytes B:bytes KB:kilobytes MB:megabytes GB:gigabytes TB:terabytes m:meters V:volts A:amperes J:joules W:watts g:grams Cel:celsius Hz:hertz %:percent 1:ratio",
);
const PER = /* @__PURE__ */ words("s:second m:minute h:hour d:day w:week mo:month y:year");

/** A unit's word from `table`, else the unit itself, sanitized, without edge `_`. */
const word = (u: string, table: Map<string, string>): string => table.get(u) ?? sanitize(u).replace(/^_|_$/g, "");

/** The unit word of an OTel unit: `{…}` annotations dropped, `1` → `ratio` on gauges only, `a/b` → `a_per_b`. */
export function unitWord(unit: string, gauge: boolean): string {
  const u = unit.replace(/\{[^}]*\}/g, "").trim();
  const slash = u.indexOf("/");
  if (u == "" || (u == "1" && !gauge)) return "";
  if (slash < 0) return word(u, UNITS);
  const num = u.slice(0, slash).trim();
  const den = u.slice(slash + 1).trim();
  const a = num == "" || num == "1" ? "" : word(num, UNITS);
  const b = den && word(den, PER);
  return b ? (a ? a + "_per_" : "per_") + b : a;
}

/**
 * The family name and unit word of a metric: the sanitized name (`unnamed` for none), a counter's
 * trailing `_total` removed, then the unit word as a suffix unless it already is one.
 */
export function familyName(name: string, unit: string, kind: "counter" | "gauge" | "other"): [string, string] {
  let family = sanitize(name, /[^a-zA-Z0-9_:]+/g);
  const w = unitWord(unit, kind == "gauge");
  if (family == "_") family = "unnamed";
  if (kind == "counter" && family.endsWith("_total") && family.length > 6) family = family.slice(0, -6);
  if (w && family != w && !family.endsWith("_" + w)) family += (family.endsWith("_") ? "" : "_") + w;
  return [family, w];
}

const escaper = (c: string): string => (c == "\n" ? "\\n" : "\\" + c);
/** A label value (and OpenMetrics HELP): `\`, `"`, newline escaped. */
export const escapeLabelValue = (value: string): string => value.replace(/[\\"\n]/g, escaper);
const escapeHelp = (text: string, om: boolean): string => text.replace(om ? /[\\"\n]/g : /[\\\n]/g, escaper);

const keys = new Map<string, string>();
/** A label key of an attribute key, cached (at most 4096): the same keys come back in every series and scrape. */
const labelOf = (key: string): string => keys.get(key) ?? ((label) => (keys.size < 4096 && keys.set(key, label), label))(sanitize(key));

/**
 * Attributes as label pairs `key="value"` joined by `,`: non-string values as text (arrays as
 * JSON); keys in `reserved` dropped (`onReserved` told); keys colliding after sanitizing merged,
 * their values joined by `;` in the order of the original keys (then the labels follow that order).
 */
export function labelPairs(attributes: Attributes, reserved?: string[], onReserved?: (key: string) => void, sorted?: boolean): string {
  const labels: string[] = [];
  const values: string[] = [];
  for (const key of sorted ? Object.keys(attributes).sort() : Object.keys(attributes)) {
    const v = attributes[key];
    if (v === undefined) continue;
    const label = labelOf(key);
    if (reserved?.includes(label)) {
      if (!sorted) onReserved?.(key);
      continue;
    }
    const text = typeof v == "string" ? v : Array.isArray(v) ? JSON.stringify(v) : String(v);
    const i = labels.indexOf(label);
    // Attribute sets are small: a linear scan costs less than a Map per series.
    if (i < 0) labels.push(label), values.push(text);
    else if (sorted) values[i] += ";" + text;
    else return labelPairs(attributes, reserved, onReserved, true);
  }
  let out = "";
  labels.forEach((label, i) => (out += (out && ",") + label + '="' + escapeLabelValue(values[i]!) + '"'));
  return out;
}

/** A sample value: `+Inf`, `-Inf`, `NaN`, else the shortest round-trip form. */
const value = (n: number): string => (n == 1 / 0 ? "+Inf" : n == -1 / 0 ? "-Inf" : String(n));
/** OpenMetrics canonical float for `le`: integers carry `.0`. */
const omFloat = (n: number): string => (Number.isInteger(n) && Math.abs(n) < 1e21 ? n + ".0" : value(n));
const braces = (labels: string): string => (labels && "{" + labels + "}");
const SCOPE = ["otel_scope_name", "otel_scope_version"];

/** The families in order of first appearance, each metric under the family its name maps to. */
function families(collections: readonly ResourceMetrics[], options: PrometheusRenderOptions): Family[] {
  const found = new Map<string, Family>();
  /** Sample names taken → their family. */
  const claimed = new Map<string, string>();
  if (!options.withoutTargetInfo) claimed.set("target_info", "target_info").set("target", "target_info");
  for (const rm of collections)
    for (const { scope, metrics } of rm.scopeMetrics) {
      const scopeLabels = options.withoutScopeInfo
        ? ""
        : 'otel_scope_name="' + escapeLabelValue(scope.name ?? "") + '"' + (scope.version ? ',otel_scope_version="' + escapeLabelValue(scope.version) + '"' : "");
      for (const metric of metrics) {
        const { name, unit, description } = metric.descriptor;
        const t = metric.dataPointType;
        const drop = (why: string): void => warnOnce("Prometheus: dropped " + name + ": " + why);
        // A gauge is always shown; a sum or histogram only when cumulative.
        const type = t == "gauge" ? t : (metric as { temporality?: string }).temporality != "cumulative" ? "" : t == "sum" ? (metric.isMonotonic ? "counter" : "gauge") : "histogram";
        if (!type) {
          drop("delta");
          continue;
        }
        const [family, w] = familyName(name, unit, type == "counter" ? type : t == "gauge" ? t : "other");
        const existing = found.get(family);
        if (existing) {
          if (existing[1] == type) existing[4].push([metric, scopeLabels]);
          else drop("TYPE clash");
          continue;
        }
        // One sample name must not belong to two families (a gauge `x_total` beside a counter `x`).
        const names = (type == "counter" ? " _total _created" : type == "histogram" ? " _bucket _count _sum _created" : " ").split(" ").map((s) => family + s);
        if (names.some((n) => claimed.has(n))) {
          drop("name clash");
          continue;
        }
        for (const n of names) claimed.set(n, family);
        found.set(family, [family, type, w, description, [[metric, scopeLabels]]]);
      }
    }
  return [...found.values()];
}

/** Yields the exposition in slices ending after the series that brings one to `slice` characters. */
export function* render(collections: readonly ResourceMetrics[], om: boolean, options: PrometheusRenderOptions = {}, slice = 1 / 0): Generator<string, void, void> {
  let out = "";
  if (!options.withoutTargetInfo) {
    const seen = new Set<string>();
    for (const rm of collections) {
      const labels = labelPairs(rm.resource?.attributes ?? {});
      if (labels && !seen.has(labels)) out += "target_info{" + labels + "} 1\n";
      seen.add(labels);
    }
    if (out) out = (om ? "# TYPE target info\n# HELP target" : "# HELP target_info") + " Target metadata\n" + (om ? "" : "# TYPE target_info gauge\n") + out;
  }
  for (const [name, type, unit, help, entries] of families(collections, options)) {
    const counter = type == "counter";
    // 0.0.4 names a counter family by its sample name; OpenMetrics by the family name, samples always with `_total`.
    const suffixed = counter && !options.withoutCounterSuffixes ? name + "_total" : name;
    const sample = counter && om ? name + "_total" : suffixed;
    out += om
      ? "# TYPE " + name + " " + type + "\n" + (unit && "# UNIT " + name + " " + unit + "\n") + (help.trim() && "# HELP " + name + " " + escapeHelp(help, om) + "\n")
      : // promtool lints a family without HELP: 0.0.4 always has one.
        "# HELP " + suffixed + " " + escapeHelp(help.trim() ? help : suffixed, om) + "\n# TYPE " + suffixed + " " + type + "\n";
    const seen = new Set<string>();
    const reserved = type == "histogram" ? [...SCOPE, "le"] : options.withoutScopeInfo ? [] : SCOPE;
    for (const [metric, scopeLabels] of entries) {
      let les: string[] | undefined;
      for (const point of metric.dataPoints) {
        const own = labelPairs(point.attributes, reserved, (key) => warnOnce("Prometheus: dropped attribute " + key + " of " + name + ": a reserved label"));
        const labels = own && scopeLabels ? own + "," + scopeLabels : own || scopeLabels;
        if (seen.has(labels)) {
          warnOnce("Prometheus: " + name + ": repeated labels after sanitizing; first kept");
          continue;
        }
        seen.add(labels);
        const v = point.value as number | HistogramValue;
        if (typeof v == "number") out += sample + braces(labels) + " " + value(v) + "\n";
        else {
          // The last bucket is `+Inf`, equal to `_count`: both total the bucket counts.
          const { boundaries, bucketCounts, min, sum } = v;
          const prefix = name + "_bucket{" + (labels && labels + ",") + 'le="';
          const tail = braces(labels) + " ";
          les ??= boundaries.map(om ? omFloat : value);
          let total = 0;
          bucketCounts.forEach((c, i) => (out += prefix + (les![i] ?? "+Inf") + '"} ' + (total += c) + "\n"));
          // Spec "Histograms": `_sum` only when monotonic, i.e. no negative observation.
          out += (min === undefined || min >= 0 ? name + "_sum" + tail + value(sum) + "\n" : "") + name + "_count" + tail + total + "\n";
        }
        if (out.length >= slice) {
          yield out;
          out = "";
        }
      }
    }
  }
  if (om) out += "# EOF\n";
  if (out) yield out;
}

/** The whole exposition as one string (text 0.0.4, or OpenMetrics when `om`). */
export const renderText = (collections: readonly ResourceMetrics[], om: boolean, options?: PrometheusRenderOptions): string => [...render(collections, om, options)].join("");
