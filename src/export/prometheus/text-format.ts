/**
 * Renders collected metrics as Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/) or OpenMetrics 1.0
 * (https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md),
 * following the OTel compatibility spec
 * (https://opentelemetry.io/docs/specs/otel/compatibility/prometheus_and_openmetrics/).
 *
 * Decisions the spec leaves open, and what we do:
 * - Delta sums and (exponential) histograms cannot be shown cumulatively without state the
 *   renderer does not keep: they are dropped with one diagnostic (spec: "MUST be dropped").
 *   The handler and the Pushgateway client use a cumulative reader, so this is rare.
 * - Exponential histograms: text formats have no native histograms, so each point is
 *   converted to explicit buckets at its own exponential boundaries (negative buckets,
 *   the zero bucket at `le=zeroThreshold`, positive buckets), which keeps `histogram_quantile`
 *   working. No information is lost except the bucket-index encoding.
 * - Families whose names collide with a different TYPE: the later metric is dropped with a
 *   diagnostic; HELP/UNIT conflicts keep the first (spec, "Metric Metadata").
 * - Series that repeat within a family (same labels, e.g. attribute keys merged by
 *   sanitizing) keep the first and report once.
 * - No sample timestamps and no `_created` series (both optional).
 * Rendering is synchronous and allocation-light (one string, cached label-key and `le`
 * strings); {@link renderStream} renders the same text in slices of about 64 K characters,
 * encoded and handed out one at a time with a turn of the event loop before each next slice,
 * so a scrape of 100k series never holds the server for long (bench/prometheus-stall.mjs).
 */
import { diagOnce } from "../../common/diag.ts";
import { toEpochMillis } from "../../common/time.ts";
import type { DataPoint, Exemplar, ExponentialHistogramValue, HistogramValue, MetricData, ResourceMetrics, SummaryValue } from "../../metrics/types.ts";
import { escapeHelp, escapeLabelValue, labelValueOf, mapMetricName, renderLabelPairs, sanitizeLabelKey } from "./name-mapping.ts";
import { utf8 } from "./utf8.ts";

/** Options for {@link renderPrometheusText} and {@link renderOpenMetrics}. */
export interface PrometheusRenderOptions {
  /** Leave out the `otel_scope_name`/`otel_scope_version` labels (spec: SHOULD be configurable). */
  readonly withoutScopeInfo?: boolean;
  /** Leave out the `target_info` metric built from resource attributes. */
  readonly withoutTargetInfo?: boolean;
  /** Text 0.0.4 only: do not add `_total` to counters (spec: SHOULD be configurable). OpenMetrics always requires it. */
  readonly withoutCounterSuffixes?: boolean;
}

type PromType = "counter" | "gauge" | "histogram" | "summary";

interface Entry {
  readonly metric: MetricData;
  readonly scopeLabels: string;
}

interface Family {
  readonly name: string;
  readonly type: PromType;
  readonly unit: string;
  readonly help: string;
  readonly entries: Entry[];
}

// Labels the renderer sets itself (attributes with these names are dropped): the scope labels,
// and `le` / `quantile` in histograms / summaries.
const reservedLabels = (extra: string): ReadonlySet<string> => new Set(["otel_scope_name", "otel_scope_version", extra]);
const RESERVED: Record<string, ReadonlySet<string>> = {
  scope: /* @__PURE__ */ reservedLabels(""),
  histogram: /* @__PURE__ */ reservedLabels("le"),
  summary: /* @__PURE__ */ reservedLabels("quantile"),
  none: /* @__PURE__ */ new Set<string>(),
};

/** Formats a sample value: `+Inf`, `-Inf`, `NaN`, otherwise the shortest round-trip form. */
export function formatValue(n: number): string {
  // String() already writes NaN as "NaN".
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

// OpenMetrics canonical float for `le`/`quantile` labels: integers carry ".0" (e.g. "1.0").
function formatOmFloat(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? n + ".0" : formatValue(n);
}

const leCache = /* @__PURE__ */ new WeakMap<readonly number[], string[][]>();

// Boundary label strings are shared by every point of a histogram stream (same array).
function leStrings(boundaries: readonly number[], om: boolean): string[] {
  let forms = leCache.get(boundaries);
  if (forms === undefined) leCache.set(boundaries, (forms = []));
  return (forms[+om] ??= boundaries.map((b) => 'le="' + (om ? formatOmFloat(b) : formatValue(b)) + '"'));
}

function promTypeOf(metric: MetricData): PromType | undefined {
  const { dataPointType: t, temporality } = metric as { dataPointType: string; temporality?: string; isMonotonic?: boolean };
  if (t === "gauge" || t === "summary") return t;
  if (temporality !== "cumulative") return undefined; // a delta sum or histogram
  return t === "sum" ? (metric.dataPointType === "sum" && metric.isMonotonic ? "counter" : "gauge") : "histogram";
}

// The suffixes of a family's sample names in either format (a gauge has none).
const SAMPLE_SUFFIXES: Partial<Record<PromType, string>> = {
  counter: " _total _created",
  histogram: " _bucket _count _sum _created",
  summary: " _count _sum _created",
};

function collectFamilies(collections: readonly ResourceMetrics[], options: PrometheusRenderOptions | undefined): Family[] {
  const families = new Map<string, Family>();
  const claimed = new Map<string, string>(); // exposed name -> family
  // target_info is rendered separately from resource attributes.
  if (!options?.withoutTargetInfo) claimed.set("target_info", "target_info").set("target", "target_info");
  for (const rm of collections) {
    for (const sm of rm.scopeMetrics) {
      const { name: scopeName, version } = sm.scope;
      const scopeLabels = options?.withoutScopeInfo
        ? ""
        : 'otel_scope_name="' + escapeLabelValue(scopeName ?? "") + '"' + (version ? ',otel_scope_version="' + escapeLabelValue(version) + '"' : "");
      for (const metric of sm.metrics) {
        const d = metric.descriptor;
        const type = promTypeOf(metric);
        const drop = (why: string, key: string): void => diagOnce("warn", `prometheus:${key}`, `Prometheus: dropping metric "${d.name}": ${why}.`);
        if (type === undefined) {
          drop("delta temporality has no Prometheus form; use a cumulative reader", "delta:" + d.name);
          continue;
        }
        const { family, unit } = mapMetricName(d.name, d.unit, type === "counter" ? "counter" : metric.dataPointType === "gauge" ? "gauge" : "other");
        const existing = families.get(family);
        const entry = { metric, scopeLabels };
        if (existing !== undefined) {
          if (existing.type === type) existing.entries.push(entry);
          else drop(`family "${family}" already has TYPE ${existing.type}, not ${type}`, "type:" + family);
          continue;
        }
        // The names the family's lines use, in either format: one name must not belong to two
        // families (e.g. a gauge "requests_total" next to a counter "requests").
        const exposed = (SAMPLE_SUFFIXES[type] ?? "").split(" ").map((suffix) => family + suffix);
        const clash = exposed.find((n) => claimed.has(n));
        if (clash !== undefined) {
          drop(`family "${claimed.get(clash)}" already uses the name "${clash}"`, "clash:" + family);
          continue;
        }
        for (const n of exposed) claimed.set(n, family);
        families.set(family, { name: family, type, unit, help: d.description, entries: [entry] });
      }
    }
  }
  return [...families.values()];
}

function braces(labels: string): string {
  return labels === "" ? "" : "{" + labels + "}";
}

// Exemplar labels are limited to 128 UTF-8 characters (OpenMetrics, "Exemplars"): the ids
// always fit; filtered attributes are added only when all of them fit.
function renderExemplar(e: Exemplar | undefined): string {
  if (e === undefined) return "";
  let extra = "";
  let size = 63;
  for (const key in e.filteredAttributes) {
    const v = e.filteredAttributes[key];
    if (v === undefined) continue;
    const label = sanitizeLabelKey(key);
    const value = labelValueOf(v);
    size += label.length + value.length;
    extra += "," + label + '="' + escapeLabelValue(value) + '"';
  }
  return ' # {trace_id="' + e.traceId + '",span_id="' + e.spanId + '"' + (size <= 128 ? extra : "") + "} " + formatValue(e.value) + " " + (toEpochMillis(e.time) / 1000).toFixed(3);
}

// Each exemplar goes on the lowest bucket whose `le` includes its value, and only there
// (OpenMetrics: an exemplar's value lies within its bucket; the Prometheus Go client keeps
// one per bucket): repeated on every cumulative bucket above, Prometheus would store it on
// each of those series and a dashboard would show it several times. One per bucket, the
// latest, as the Go client and the spec's aligned-bucket reservoir keep; a counter (no
// boundaries) has one bucket, so it gets its latest exemplar.
function bucketExemplars(exemplars: readonly Exemplar[], boundaries: readonly number[]): Array<Exemplar | undefined> {
  const latest: Array<Exemplar | undefined> = [];
  for (const e of exemplars) {
    let i = 0;
    while (i < boundaries.length && e.value > boundaries[i]!) i++;
    if (latest[i] === undefined || e.time >= latest[i]!.time) latest[i] = e;
  }
  return latest;
}

/** Converts an exponential histogram point to explicit buckets (see the module comment). */
export function exponentialToExplicit(v: ExponentialHistogramValue): HistogramValue {
  const boundaries: number[] = [];
  const counts: number[] = [];
  const factor = Math.pow(2, -v.scale);
  const neg = v.negative.bucketCounts;
  for (let i = neg.length - 1; i >= 0; i--) {
    boundaries.push(-Math.pow(2, (v.negative.offset + i) * factor));
    counts.push(neg[i]!);
  }
  boundaries.push(v.zeroThreshold);
  counts.push(v.zeroCount);
  const pos = v.positive.bucketCounts;
  for (let i = 0; i < pos.length; i++) {
    boundaries.push(Math.pow(2, (v.positive.offset + i + 1) * factor));
    counts.push(pos[i]!);
  }
  counts.push(0);
  return { count: v.count, sum: v.sum, min: v.min, max: v.max, boundaries, bucketCounts: counts };
}

/**
 * Yields the exposition in slices: one ends after the series that brings it to `sliceChars`
 * characters (the whole text in one slice when `sliceChars` is `Infinity`).
 */
function* renderChunks(collections: readonly ResourceMetrics[], om: boolean, options?: PrometheusRenderOptions, sliceChars: number = Infinity): Generator<string, void, void> {
  let out = options?.withoutTargetInfo ? "" : renderTargetInfo(collections, om);
  for (const { name, type, unit, help, entries } of collectFamilies(collections, options)) {
    // 0.0.4 names a counter family by its sample name (`_total`, unless configured off);
    // OpenMetrics by the family name, its samples always ending in `_total`.
    const counter = type === "counter";
    const suffixed = counter && !options?.withoutCounterSuffixes ? name + "_total" : name;
    const sampleName = counter && om ? name + "_total" : suffixed;
    out += om
      ? "# TYPE " + name + " " + type + "\n" + (unit !== "" ? "# UNIT " + name + " " + unit + "\n" : "") + (help.trim() !== "" ? "# HELP " + name + " " + escapeHelp(help, true) + "\n" : "")
      : // promtool lints a family without HELP, so 0.0.4 always carries one.
        "# HELP " + suffixed + " " + escapeHelp(help.trim() === "" ? suffixed : help, false) + "\n# TYPE " + suffixed + " " + type + "\n";
    const seen = new Set<string>();
    const reserved = RESERVED[type === "histogram" || type === "summary" ? type : options?.withoutScopeInfo ? "none" : "scope"];
    const onReserved = (key: string): void =>
      diagOnce("warn", `prometheus:reserved:${name}:${key}`, `Prometheus: dropping attribute "${key}" of "${name}": the exporter sets that label.`);
    for (const { metric, scopeLabels } of entries) {
      for (const point of metric.dataPoints as ReadonlyArray<DataPoint<unknown>>) {
        const own = renderLabelPairs(point.attributes, reserved, onReserved);
        const labels = own === "" ? scopeLabels : scopeLabels === "" ? own : own + "," + scopeLabels;
        if (seen.has(labels)) {
          diagOnce("warn", `prometheus:duplicate:${name}`, `Prometheus: "${name}" has two series with the same labels after sanitizing; keeping the first.`);
          continue;
        }
        seen.add(labels);
        const pointType = metric.dataPointType;
        const v = point.value as never;
        out +=
          pointType === "sum" || pointType === "gauge"
            ? sampleName + braces(labels) + " " + formatValue(v) + (om && counter ? renderExemplar(bucketExemplars(point.exemplars, [])[0]) : "") + "\n"
            : pointType === "summary"
              ? renderSummary(name, labels, v, om)
              : renderHistogram(name, labels, pointType === "histogram" ? v : exponentialToExplicit(v), point.exemplars, om);
        if (out.length >= sliceChars) {
          yield out;
          out = "";
        }
      }
    }
  }
  if (om) out += "# EOF\n";
  if (out !== "") yield out;
}

// The `_sum` and `_count` lines of a histogram or summary. Spec ("Histograms"): `_sum` only
// when it is monotonic, i.e. no negative observations.
function sumAndCount(name: string, labels: string, sum: number, monotonic: boolean, count: number): string {
  const tail = braces(labels) + " ";
  return (monotonic ? name + "_sum" + tail + formatValue(sum) + "\n" : "") + name + "_count" + tail + formatValue(count) + "\n";
}

function renderHistogram(name: string, labels: string, v: HistogramValue, exemplars: readonly Exemplar[], om: boolean): string {
  const bounds = v.boundaries;
  const counts = v.bucketCounts;
  const n = bounds.length;
  if (counts.length !== n + 1) {
    diagOnce("warn", `prometheus:buckets:${name}`, `Prometheus: skipping a point of "${name}": ${counts.length} bucket counts, ${n} boundaries.`);
    return "";
  }
  const les = leStrings(bounds, om);
  const prefix = name + "_bucket{" + (labels === "" ? "" : labels + ",");
  const ex = om ? bucketExemplars(exemplars, bounds) : [];
  let out = "";
  let cumulative = 0;
  // The last bucket is `+Inf`, equal to `_count` by construction: both total the bucket counts.
  for (let i = 0; i <= n; i++) out += prefix + (i < n ? les[i] : 'le="+Inf"') + "} " + (cumulative += counts[i]!) + renderExemplar(ex[i]) + "\n";
  return out + sumAndCount(name, labels, v.sum, v.min === undefined || v.min >= 0, cumulative);
}

function renderSummary(name: string, labels: string, v: SummaryValue, om: boolean): string {
  let out = "";
  const prefix = name + "{" + (labels === "" ? "" : labels + ",") + 'quantile="';
  for (const q of [...v.quantiles].sort((a, b) => a.quantile - b.quantile)) out += prefix + (om ? formatOmFloat(q.quantile) : formatValue(q.quantile)) + '"} ' + formatValue(q.value) + "\n";
  return out + sumAndCount(name, labels, v.sum, v.sum >= 0, v.count);
}

/** `target_info` (0.0.4: gauge) / `target` (OpenMetrics: info) from resource attributes (spec, "Resource Attributes"). */
function renderTargetInfo(collections: readonly ResourceMetrics[], om: boolean): string {
  const seen = new Set<string>();
  let body = "";
  for (const rm of collections) {
    const labels = renderLabelPairs(rm.resource?.attributes ?? {});
    if (labels === "" || seen.has(labels)) continue;
    seen.add(labels);
    body += "target_info{" + labels + "} 1\n";
  }
  return body === "" ? "" : (om ? "# TYPE target info\n# HELP target" : "# HELP target_info") + " Target metadata\n" + (om ? "" : "# TYPE target_info gauge\n") + body;
}

/**
 * Renders metrics in the Prometheus text exposition format 0.0.4
 * (`Content-Type: text/plain; version=0.0.4; charset=utf-8`).
 *
 * @example
 * ```ts
 * const { resourceMetrics } = await reader.collect();
 * const body = renderPrometheusText([resourceMetrics]);
 * ```
 */
export function renderPrometheusText(collections: readonly ResourceMetrics[], options?: PrometheusRenderOptions): string {
  return [...renderChunks(collections, false, options)].join("");
}

/**
 * Renders metrics as OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`):
 * counter families without `_total` in `# TYPE`, `# UNIT`, exemplars on counters and
 * histogram buckets, and the closing `# EOF`.
 */
export function renderOpenMetrics(collections: readonly ResourceMetrics[], options?: PrometheusRenderOptions): string {
  return [...renderChunks(collections, true, options)].join("");
}

// A full turn of the event loop (timers, I/O) between two slices. `setImmediate` (Node, Bun,
// Deno) runs right after pending I/O; `setTimeout(0)` elsewhere (Node would clamp it to 1 ms).
function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (typeof immediate === "function" ? immediate(resolve) : setTimeout(resolve, 0)));
}

/**
 * The exposition as a stream of UTF-8 bytes, byte-identical to {@link renderPrometheusText} /
 * {@link renderOpenMetrics}. Each slice of about `sliceChars` characters (default 65,536) is
 * rendered and encoded when the consumer asks for it, after a turn of the event loop, so a
 * large scrape neither blocks the server for its whole duration nor holds the whole text (and
 * its bytes) in memory at once. A failure while rendering errors the stream, so the client
 * sees a cut response, never a truncated one that looks complete.
 *
 * @example
 * ```ts
 * const { resourceMetrics } = await reader.collect();
 * return new Response(renderStream([resourceMetrics], false), { headers: { "Content-Type": TEXT_CONTENT_TYPE } });
 * ```
 */
export function renderStream(collections: readonly ResourceMetrics[], openMetrics: boolean, options?: PrometheusRenderOptions, sliceChars: number = 65536): ReadableStream<Uint8Array> {
  const slices = renderChunks(collections, openMetrics, options, sliceChars);
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!first) await nextTurn();
      first = false;
      // A throw rejects `pull`, which errors the stream: the consumer (toNodeListener, the
      // runtime's server) reports it and cuts the response rather than end it short.
      const slice = slices.next();
      if (slice.done) controller.close();
      else controller.enqueue(utf8.encode(slice.value));
    },
    cancel() {
      slices.return();
    },
  });
}

/**
 * Renders like {@link renderPrometheusText}/{@link renderOpenMetrics}, through
 * {@link renderStream}: a turn of the event loop after every slice of about `sliceChars`
 * characters. Prefer the stream itself for a response body.
 */
export function renderIncrementally(collections: readonly ResourceMetrics[], openMetrics: boolean, options?: PrometheusRenderOptions, sliceChars?: number): Promise<string> {
  return new Response(renderStream(collections, openMetrics, options, sliceChars)).text();
}
