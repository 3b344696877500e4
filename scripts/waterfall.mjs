// Renders OTLP/JSON trace export requests as text waterfalls, one block per trace:
//
//   trace 5b8efff798038103d269b633813fc60c  demo-shop  42.1 ms
//   GET /checkout [server]    |████████████████████████████████████████|  42.1 ms  http.request.method=GET
//     auth.verify             |██░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░|   1.20 ms
//       log INFO user verified  demo.user=u-1024
//     ...
//
// With `logs`, each span's log records (matched by trace and span id) print under it. And
// `renderRedMetrics` turns metric export requests into a RED table per route (requests,
// errors, duration percentiles estimated from histogram buckets, an exemplar's trace id).
//
// Input is the proto3 JSON mapping of ExportTraceServiceRequest (OTLP spec, "JSON Protobuf
// Encoding"): hex ids, 64-bit nanosecond times as decimal strings (subtracted as BigInt so
// no precision is lost past 2^53), enums as integers, attributes as KeyValue lists.

/** OTLP `Span.SpanKind` (proto enum, one more than the API's SpanKind); INTERNAL/UNSPECIFIED print nothing. */
const KIND_LABELS = ["", "", "server", "client", "producer", "consumer"];

/** OTLP `Status.StatusCode.STATUS_CODE_ERROR`. */
const STATUS_ERROR = 2;

/** Attributes worth a glance in a waterfall (semantic conventions: HTTP, URL, DB, error). */
const KEY_ATTRIBUTES = [
  "http.request.method",
  "http.route",
  "url.path",
  "url.full",
  "http.response.status_code",
  "db.system",
  "error.type",
];

/** Labels longer than this are cut with "…" so one long name cannot push the bars off-screen. */
const MAX_LABEL = 56;

const ANSI = { reset: "\x1b[0m", bold: "\x1b[1m", dim: "\x1b[2m", red: "\x1b[31m", green: "\x1b[32m", cyan: "\x1b[36m" };

/**
 * @typedef {object} FlatSpan
 * @property {string} traceId
 * @property {string} spanId
 * @property {string} parentSpanId
 * @property {string} name
 * @property {number} kind
 * @property {bigint} start
 * @property {bigint} end
 * @property {number} statusCode
 * @property {string} statusMessage
 * @property {Map<string, unknown>} attributes
 * @property {any[]} events
 * @property {string} service
 * @property {number} order Position in the input, the tie-breaker that keeps output stable.
 * @property {FlatSpan[]} children
 */

/**
 * Renders trace export requests as one waterfall block per trace.
 *
 * Spans are grouped by trace id; a span whose parent is not in the input (a remote parent,
 * or one not exported yet) is shown as a root. Children are ordered by start time.
 *
 * @param {any[] | any} requests `ExportTraceServiceRequest` objects (OTLP/JSON), or one of them.
 * @param {{ width?: number, color?: boolean, ascii?: boolean, logs?: any[] }} [options]
 *   `width` of the bar in columns (default 40); `color` adds ANSI colors (default off);
 *   `ascii` draws bars with `=` and spaces instead of `█` and `░`; `logs` are
 *   `ExportLogsServiceRequest` objects whose records print under the span they were recorded
 *   in (same trace and span id), in time order; records of no span shown here are left out.
 * @returns {string} The text, blocks separated by a blank line; "" when there are no spans.
 */
export function renderWaterfall(requests, { width = 40, color = false, ascii = false, logs = [] } = {}) {
  const barWidth = Math.max(1, Math.floor(Number(width) || 40));
  /** @param {keyof typeof ANSI} style @param {string} text */
  const paint = (style, text) => (color && text ? `${ANSI[style]}${text}${ANSI.reset}` : text);

  const traces = groupByTrace(flatten(Array.isArray(requests) ? requests : [requests]));
  const logsBySpan = groupLogsBySpan(Array.isArray(logs) ? logs : [logs]);
  const blocks = [];
  for (const spans of traces) {
    const t0 = min(spans.map((s) => s.start));
    const t1 = max(spans.map((s) => s.end));
    const total = t1 - t0;
    const roots = buildTree(spans);

    /** @type {{ span: FlatSpan, depth: number }[]} */
    const rows = [];
    /** @param {FlatSpan} span @param {number} depth */
    const walk = (span, depth) => {
      rows.push({ span, depth });
      for (const child of span.children) walk(child, depth + 1);
    };
    for (const root of roots) walk(root, 0);

    const labels = rows.map(({ span, depth }) => truncate("  ".repeat(depth) + label(span), MAX_LABEL));
    const labelWidth = Math.max(...labels.map((l) => l.length));
    const services = [...new Set(spans.map((s) => s.service).filter(Boolean))];

    const lines = [
      paint("bold", `trace ${spans[0].traceId}  ${services.join(",") || "unknown_service"}  ${formatMs(total)}`),
    ];
    rows.forEach(({ span, depth }, i) => {
      const isError = span.statusCode === STATUS_ERROR;
      const bar = renderBar(span.start - t0, span.end - span.start, total, barWidth, ascii);
      let line = `${labels[i].padEnd(labelWidth)}  |${paint("dim", bar.before)}${paint(isError ? "red" : "cyan", bar.fill)}${paint("dim", bar.after)}|  `;
      line += formatMs(span.end - span.start).padStart(9);
      if (isError) line += `  ${paint("red", span.statusMessage ? `ERROR: ${span.statusMessage}` : "ERROR")}`;
      const attrs = keyAttributes(span.attributes);
      if (attrs) line += `  ${paint("dim", attrs)}`;
      lines.push(line.trimEnd());
      for (const event of span.events) {
        if (event?.name !== "exception") continue;
        const a = toMap(event.attributes);
        const type = a.get("exception.type");
        const message = a.get("exception.message");
        const text = [type, message].filter((v) => v !== undefined && v !== "").map(String).join(": ");
        lines.push(`${"  ".repeat(depth + 1)}${paint("red", `! exception: ${text || "(no type or message)"}`)}`);
      }
      for (const record of logsBySpan.get(`${span.traceId}/${span.spanId}`) ?? []) {
        const severe = record.severityNumber >= SEVERITY_WARN;
        let line = `${"  ".repeat(depth + 1)}${paint(severe ? "red" : "green", `log ${record.severity}`)} ${record.body}`;
        // A stack trace would bury the waterfall; exception.type and .message stay.
        const attrs = [...record.attributes].filter(([k]) => k !== "exception.stacktrace").map(([k, v]) => `${k}=${formatValue(v)}`).join(" ");
        if (attrs) line += `  ${paint("dim", attrs)}`;
        lines.push(line);
      }
    });
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n");
}

/** OTLP `SeverityNumber` WARN (13): records at or above it are painted like errors. */
const SEVERITY_WARN = 13;

/** SeverityText for records that carry only a number (Logs data model, "Field: SeverityNumber"). */
const SEVERITY_NAMES = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/**
 * @typedef {object} FlatLog
 * @property {string} severity
 * @property {number} severityNumber
 * @property {string} body
 * @property {Map<string, unknown>} attributes
 * @property {bigint} time
 * @property {number} order
 */

/**
 * The log records of `ExportLogsServiceRequest`s keyed by `traceId/spanId` (lower-case hex),
 * each list in time order (then input order); records without both ids are left out.
 * @param {any[]} requests
 * @returns {Map<string, FlatLog[]>}
 */
function groupLogsBySpan(requests) {
  /** @type {Map<string, FlatLog[]>} */
  const bySpan = new Map();
  let order = 0;
  for (const request of requests) {
    for (const rl of request?.resourceLogs ?? []) {
      for (const sl of rl?.scopeLogs ?? []) {
        for (const r of sl?.logRecords ?? []) {
          if (!r || typeof r.traceId !== "string" || typeof r.spanId !== "string" || !r.traceId || !r.spanId) continue;
          const key = `${r.traceId.toLowerCase()}/${r.spanId.toLowerCase()}`;
          const severityNumber = Number(r.severityNumber ?? 0);
          const body = anyValue(r.body);
          /** @type {FlatLog} */
          const record = {
            severity: String(r.severityText || SEVERITY_NAMES[Math.floor((severityNumber - 1) / 4)] || "UNSPECIFIED"),
            severityNumber,
            body: typeof body === "string" ? body : body === undefined ? "" : formatValue(body),
            attributes: toMap(r.attributes),
            // The observed time stands in when the record has no event time (Logs data model).
            time: toBigInt(r.timeUnixNano && r.timeUnixNano !== "0" ? r.timeUnixNano : r.observedTimeUnixNano),
            order: order++,
          };
          const list = bySpan.get(key);
          if (list) list.push(record);
          else bySpan.set(key, [record]);
        }
      }
    }
  }
  for (const list of bySpan.values()) list.sort((a, b) => compareBig(a.time, b.time) || a.order - b.order);
  return bySpan;
}

/**
 * Flattens `resourceSpans[].scopeSpans[].spans[]` into one list carrying each span's service.
 * @param {any[]} requests
 * @returns {FlatSpan[]}
 */
function flatten(requests) {
  /** @type {FlatSpan[]} */
  const out = [];
  for (const request of requests) {
    for (const rs of request?.resourceSpans ?? []) {
      const service = String(toMap(rs?.resource?.attributes).get("service.name") ?? "");
      for (const ss of rs?.scopeSpans ?? []) {
        for (const s of ss?.spans ?? []) {
          if (!s || typeof s.traceId !== "string" || typeof s.spanId !== "string") continue;
          const start = toBigInt(s.startTimeUnixNano);
          let end = toBigInt(s.endTimeUnixNano);
          if (end < start) end = start; // unfinished or clock-skewed: draw as zero length
          out.push({
            traceId: s.traceId.toLowerCase(),
            spanId: s.spanId.toLowerCase(),
            parentSpanId: typeof s.parentSpanId === "string" ? s.parentSpanId.toLowerCase() : "",
            name: String(s.name ?? ""),
            kind: Number(s.kind ?? 0),
            start,
            end,
            statusCode: Number(s.status?.code ?? 0),
            statusMessage: String(s.status?.message ?? ""),
            attributes: toMap(s.attributes),
            events: Array.isArray(s.events) ? s.events : [],
            service,
            order: out.length,
            children: [],
          });
        }
      }
    }
  }
  return out;
}

/**
 * Groups spans by trace id; traces are ordered by their earliest start (then by input order).
 * @param {FlatSpan[]} spans
 * @returns {FlatSpan[][]}
 */
function groupByTrace(spans) {
  /** @type {Map<string, FlatSpan[]>} */
  const byTrace = new Map();
  for (const span of spans) {
    const list = byTrace.get(span.traceId);
    if (list) list.push(span);
    else byTrace.set(span.traceId, [span]);
  }
  return [...byTrace.values()].sort((a, b) => compareBig(min(a.map((s) => s.start)), min(b.map((s) => s.start))));
}

/**
 * Links children to parents within one trace and returns the roots, all sorted by start.
 * A span whose parent is absent is a root; so is any span caught in a parent cycle
 * (malformed input must still print every span exactly once).
 * @param {FlatSpan[]} spans
 * @returns {FlatSpan[]}
 */
function buildTree(spans) {
  /** @type {Map<string, FlatSpan>} */
  const byId = new Map();
  for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  const unique = [...byId.values()];
  /** @type {FlatSpan[]} */
  const roots = [];
  for (const span of unique) {
    const parent = span.parentSpanId && span.parentSpanId !== span.spanId ? byId.get(span.parentSpanId) : undefined;
    if (parent) parent.children.push(span);
    else roots.push(span);
  }
  /** @type {Set<FlatSpan>} */
  const reached = new Set();
  /** @param {FlatSpan} s */
  const mark = (s) => {
    reached.add(s);
    s.children.forEach(mark);
  };
  roots.forEach(mark);
  for (const span of unique) {
    if (reached.has(span)) continue;
    // In a cycle: detach from its parent and promote to root.
    const parent = byId.get(span.parentSpanId);
    if (parent) parent.children = parent.children.filter((c) => c !== span);
    roots.push(span);
    mark(span);
  }
  /** @param {FlatSpan} a @param {FlatSpan} b */
  const byStart = (a, b) => compareBig(a.start, b.start) || a.order - b.order;
  for (const span of unique) span.children.sort(byStart);
  return roots.sort(byStart);
}

/**
 * The bar for one span on the trace's time axis: `fill` covers the span, `before`/`after`
 * the rest of the axis (returned separately so they can be colored apart).
 * @param {bigint} offset nanoseconds from trace start
 * @param {bigint} duration nanoseconds
 * @param {bigint} total nanoseconds of the whole trace
 * @param {number} width
 * @param {boolean} ascii
 */
function renderBar(offset, duration, total, width, ascii) {
  const [on, off] = ascii ? ["=", " "] : ["█", "░"];
  const span = total > 0n ? Number(total) : 1;
  let from = Math.min(width - 1, Math.floor((Number(offset) / span) * width));
  // At least one column, so that instant spans stay visible.
  let len = Math.max(1, Math.round((Number(duration) / span) * width));
  if (from + len > width) len = width - from;
  if (from < 0) from = 0;
  const before = off.repeat(from);
  const after = off.repeat(width - from - len);
  return { before, fill: on.repeat(len), after };
}

/** @param {FlatSpan} span */
function label(span) {
  const kind = KIND_LABELS[span.kind] ?? "";
  return kind ? `${span.name} [${kind}]` : span.name;
}

/**
 * `key=value` for the key attributes present, then every `demo.*` attribute (sorted).
 * @param {Map<string, unknown>} attributes
 */
function keyAttributes(attributes) {
  // url.path repeats http.route for routes without parameters: show it only when it adds something.
  const keys = KEY_ATTRIBUTES.filter(
    (k) => attributes.has(k) && !(k === "url.path" && attributes.get(k) === attributes.get("http.route")),
  );
  keys.push(...[...attributes.keys()].filter((k) => k.startsWith("demo.")).sort());
  return keys.map((k) => `${k}=${formatValue(attributes.get(k))}`).join(" ");
}

/** @param {unknown} value */
function formatValue(value) {
  // Quoted only when a space or quote would make `key=value` ambiguous to read.
  if (typeof value === "string") return /^[^\s"]+$/.test(value) ? value : JSON.stringify(value);
  if (value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * OTLP KeyValue list → Map of plain values.
 * @param {unknown} list
 * @returns {Map<string, unknown>}
 */
function toMap(list) {
  const map = new Map();
  if (!Array.isArray(list)) return map;
  for (const kv of list) if (kv && typeof kv.key === "string") map.set(kv.key, anyValue(kv.value));
  return map;
}

/**
 * OTLP AnyValue (proto3 JSON) → plain value; int64 stays a decimal string's number when safe.
 * @param {any} v
 * @returns {unknown}
 */
function anyValue(v) {
  if (!v || typeof v !== "object") return undefined;
  if ("stringValue" in v) return v.stringValue;
  if ("boolValue" in v) return v.boolValue;
  if ("intValue" in v) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("bytesValue" in v) return v.bytesValue;
  if ("arrayValue" in v) return (v.arrayValue?.values ?? []).map(anyValue);
  if ("kvlistValue" in v) return Object.fromEntries(toMap(v.kvlistValue?.values));
  return undefined;
}

/** @param {unknown} v */
function toBigInt(v) {
  try {
    if (typeof v === "number") return BigInt(Math.trunc(v));
    if (typeof v === "string" && /^\d+$/.test(v)) return BigInt(v);
  } catch {
    // fall through: unparseable times count as 0
  }
  return 0n;
}

/** Milliseconds with precision that suits the magnitude. @param {bigint} nanos */
function formatMs(nanos) {
  const ms = Number(nanos) / 1e6;
  return `${ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)} ms`;
}

/** @param {string} s @param {number} n */
function truncate(s, n) {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** @param {bigint} a @param {bigint} b */
function compareBig(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** @param {bigint[]} values */
function min(values) {
  return values.reduce((a, b) => (b < a ? b : a));
}

/** @param {bigint[]} values */
function max(values) {
  return values.reduce((a, b) => (b > a ? b : a));
}

/** OTLP `AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA`; anything else is read as cumulative. */
const TEMPORALITY_DELTA = 1;

/**
 * @typedef {object} RouteStats One row of the RED table.
 * @property {string} route `"{http.request.method} {http.route}"`, or the method alone.
 * @property {number} requests Requests recorded (histogram counts).
 * @property {number} errors Requests with `error.type` or a 5xx status.
 * @property {number | undefined} p50 Seconds, estimated from the buckets.
 * @property {number | undefined} p99 Seconds, estimated from the buckets.
 * @property {string | undefined} exemplarTraceId The trace id of an exemplar (of the slowest bucket that has one).
 */

/**
 * RED figures (rate as requests, errors, duration) per route from a duration histogram in
 * `ExportMetricsServiceRequest`s: its points are summed per `http.request.method` +
 * `http.route` across status codes and error types. Cumulative series count once (their
 * latest point); delta points add up. Percentiles interpolate linearly inside the bucket
 * holding the rank, as Prometheus' `histogram_quantile` does, clamped to the point's min/max.
 * @param {any[] | any} requests
 * @param {{ metric?: string }} [options] `metric` defaults to `http.server.request.duration` (semconv, seconds).
 * @returns {RouteStats[]} Sorted by route.
 */
export function redMetrics(requests, { metric = "http.server.request.duration" } = {}) {
  /** @type {Map<string, { time: bigint, point: any }>} latest point per cumulative series */
  const latest = new Map();
  /** @type {any[]} */
  const points = [];
  for (const request of Array.isArray(requests) ? requests : [requests]) {
    for (const rm of request?.resourceMetrics ?? []) {
      for (const sm of rm?.scopeMetrics ?? []) {
        for (const m of sm?.metrics ?? []) {
          if (m?.name !== metric || !m.histogram) continue;
          const delta = Number(m.histogram.aggregationTemporality) === TEMPORALITY_DELTA;
          for (const p of m.histogram.dataPoints ?? []) {
            if (delta) {
              points.push(p);
              continue;
            }
            const series = `${sm.scope?.name ?? ""}\n${String(p.startTimeUnixNano ?? "")}\n${JSON.stringify([...toMap(p.attributes)].sort())}`;
            const time = toBigInt(p.timeUnixNano);
            const seen = latest.get(series);
            if (!seen || time >= seen.time) latest.set(series, { time, point: p });
          }
        }
      }
    }
  }
  for (const { point } of latest.values()) points.push(point);

  /** @type {Map<string, { requests: number, errors: number, bounds: number[], counts: number[], min: number, max: number, exemplar?: { bucket: number, traceId: string } }>} */
  const routes = new Map();
  for (const p of points) {
    const a = toMap(p.attributes);
    const method = String(a.get("http.request.method") ?? "_OTHER");
    const route = a.has("http.route") ? `${method} ${a.get("http.route")}` : method;
    const count = Number(p.count ?? 0);
    const status = Number(a.get("http.response.status_code") ?? 0);
    const bounds = (p.explicitBounds ?? []).map(Number);
    const counts = (p.bucketCounts ?? []).map(Number);
    let row = routes.get(route);
    if (!row) routes.set(route, (row = { requests: 0, errors: 0, bounds, counts: bounds.map(() => 0).concat(0), min: Infinity, max: -Infinity }));
    row.requests += count;
    if (a.has("error.type") || status >= 500) row.errors += count;
    // Points of one instrument share its bucket boundaries; a point with others is counted but not bucketed.
    if (JSON.stringify(bounds) === JSON.stringify(row.bounds)) counts.forEach((c, i) => (row.counts[i] = (row.counts[i] ?? 0) + c));
    if (p.min !== undefined) row.min = Math.min(row.min, Number(p.min));
    if (p.max !== undefined) row.max = Math.max(row.max, Number(p.max));
    for (const e of p.exemplars ?? []) {
      if (typeof e?.traceId !== "string" || !e.traceId) continue;
      const value = Number(e.asDouble ?? e.asInt ?? 0);
      const bucket = bounds.findIndex((b) => value <= b);
      const at = bucket < 0 ? bounds.length : bucket;
      if (!row.exemplar || at > row.exemplar.bucket) row.exemplar = { bucket: at, traceId: e.traceId.toLowerCase() };
    }
  }
  return [...routes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([route, row]) => ({
      route,
      requests: row.requests,
      errors: row.errors,
      p50: quantile(0.5, row),
      p99: quantile(0.99, row),
      exemplarTraceId: row.exemplar?.traceId,
    }));
}

/**
 * The `q` quantile of a bucketed distribution: linear inside the bucket holding rank q·count
 * (lower edge 0 for the first bucket, the last bound for the overflow bucket), clamped to min/max.
 * @param {number} q
 * @param {{ bounds: number[], counts: number[], min: number, max: number }} h
 * @returns {number | undefined}
 */
function quantile(q, { bounds, counts, min, max }) {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let below = 0;
  let i = 0;
  while (i < counts.length - 1 && below + counts[i] < rank) below += counts[i++];
  let value;
  if (i >= bounds.length) value = bounds.length ? bounds[bounds.length - 1] : max;
  else {
    const lower = i === 0 ? Math.min(0, bounds[0]) : bounds[i - 1];
    value = lower + (bounds[i] - lower) * (counts[i] ? (rank - below) / counts[i] : 1);
  }
  if (Number.isFinite(max)) value = Math.min(value, max);
  if (Number.isFinite(min)) value = Math.max(value, min);
  return value;
}

/**
 * The RED table of {@link redMetrics} as text, one row per route:
 *
 *   route           requests  errors       p50       p99  exemplar trace
 *   GET /checkout          2       0   31.2 ms   49.6 ms  5b8efff798038103d269b633813fc60c
 *
 * @param {any[] | any} requests `ExportMetricsServiceRequest` objects (OTLP/JSON).
 * @param {{ color?: boolean, metric?: string }} [options]
 * @returns {string} "" when the metric has no points.
 */
export function renderRedMetrics(requests, { color = false, metric } = {}) {
  const rows = redMetrics(requests, { metric });
  if (rows.length === 0) return "";
  /** @param {keyof typeof ANSI} style @param {string} text */
  const paint = (style, text) => (color && text ? `${ANSI[style]}${text}${ANSI.reset}` : text);
  /** @param {number | undefined} s */
  const ms = (s) => (s === undefined ? "-" : formatMs(BigInt(Math.round(s * 1e9))));
  const width = Math.max(5, ...rows.map((r) => r.route.length));
  const lines = [paint("bold", `${"route".padEnd(width)}  requests  errors        p50        p99  exemplar trace`)];
  for (const r of rows) {
    const errors = String(r.errors).padStart(6);
    lines.push(
      `${r.route.padEnd(width)}  ${String(r.requests).padStart(8)}  ${r.errors ? paint("red", errors) : errors}  ${ms(r.p50).padStart(9)}  ${ms(r.p99).padStart(9)}  ${r.exemplarTraceId ?? "-"}`,
    );
  }
  return lines.join("\n");
}
