// Renders OTLP/JSON trace export requests as text waterfalls, one block per trace:
//
//   trace 5b8efff798038103d269b633813fc60c  demo-shop  42.1 ms
//   GET /checkout [server]    |████████████████████████████████████████|  42.1 ms  http.request.method=GET
//     auth.verify             |██░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░|   1.20 ms
//     ...
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
 * @param {{ width?: number, color?: boolean, ascii?: boolean }} [options]
 *   `width` of the bar in columns (default 40); `color` adds ANSI colors (default off);
 *   `ascii` draws bars with `=` and spaces instead of `█` and `░`.
 * @returns {string} The text, blocks separated by a blank line; "" when there are no spans.
 */
export function renderWaterfall(requests, { width = 40, color = false, ascii = false } = {}) {
  const barWidth = Math.max(1, Math.floor(Number(width) || 40));
  /** @param {keyof typeof ANSI} style @param {string} text */
  const paint = (style, text) => (color && text ? `${ANSI[style]}${text}${ANSI.reset}` : text);

  const traces = groupByTrace(flatten(Array.isArray(requests) ? requests : [requests]));
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
    });
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n");
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
