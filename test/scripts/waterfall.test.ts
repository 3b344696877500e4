// The waterfall printer on hand-built OTLP/JSON export requests: tree structure, ordering,
// indentation, kind/error/exception markers, key attributes, and several traces per batch.
import { test } from "uvu";
import * as assert from "uvu/assert";

// scripts/*.mjs are plain JavaScript with JSDoc types, outside the TS program; the import goes
// through a URL string so tsc does not look for declarations, and the signature is restated here.
type RenderWaterfall = (requests: unknown, options?: { width?: number; color?: boolean; ascii?: boolean; logs?: unknown[] }) => string;
type RouteStats = { route: string; requests: number; errors: number; p50?: number; p99?: number; exemplarTraceId?: string };
const { renderWaterfall, redMetrics, renderRedMetrics } = (await import(new URL("../../scripts/waterfall.mjs", import.meta.url).href)) as {
  renderWaterfall: RenderWaterfall;
  redMetrics: (requests: unknown) => RouteStats[];
  renderRedMetrics: (requests: unknown, options?: { color?: boolean }) => string;
};

const T0 = 1_700_000_000_000_000_000n; // past 2^53: times must be subtracted as BigInt
const ms = (n: number): string => (T0 + BigInt(Math.round(n * 1e6))).toString();
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

const TRACE_A = "0af7651916cd43dd8448eb211c80319c";
const TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736";

interface SpanInput {
  traceId?: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  start: number;
  end: number;
  status?: { code: number; message?: string };
  attributes?: unknown[];
  events?: unknown[];
}

function span(s: SpanInput): Record<string, unknown> {
  return {
    traceId: s.traceId ?? TRACE_A,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind ?? 1,
    startTimeUnixNano: ms(s.start),
    endTimeUnixNano: ms(s.end),
    attributes: s.attributes ?? [],
    events: s.events ?? [],
    status: s.status ?? {},
  };
}

function request(service: string, spans: Record<string, unknown>[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", service)] },
        scopeSpans: [{ scope: { name: "test" }, spans }],
      },
    ],
  };
}

// Children deliberately listed out of start order and the root listed last: the printer
// must build the tree and sort, not echo the input.
const checkout = request("demo-shop", [
  span({ spanId: "00000000000000c3", parentSpanId: "00000000000000a1", name: "payment.charge", start: 60, end: 90 }),
  span({
    spanId: "00000000000000b2",
    parentSpanId: "00000000000000a1",
    name: "cart.load",
    start: 10,
    end: 30,
    attributes: [str("db.system", "sqlite"), str("demo.cart_id", "c-42")],
  }),
  span({ spanId: "00000000000000d4", parentSpanId: "00000000000000b2", name: "db.query", start: 12, end: 28 }),
  span({ spanId: "00000000000000b1", parentSpanId: "00000000000000a1", name: "auth.verify", start: 1, end: 5 }),
  span({
    spanId: "00000000000000a1",
    parentSpanId: "ffffffffffffffff", // remote parent: not in the batch
    name: "GET /checkout",
    kind: 2,
    start: 0,
    end: 100,
    attributes: [str("http.request.method", "GET"), str("http.route", "/checkout"), int("http.response.status_code", 200)],
  }),
]);

const failing = request("demo-shop", [
  span({
    traceId: TRACE_B,
    spanId: "00000000000000e1",
    name: "GET /fail",
    kind: 2,
    start: 200,
    end: 210,
    status: { code: 2, message: "inventory unavailable" },
    attributes: [int("http.response.status_code", 500), str("error.type", "500")],
  }),
  span({
    traceId: TRACE_B,
    spanId: "00000000000000e2",
    parentSpanId: "00000000000000e1",
    name: "inventory.reserve",
    start: 202,
    end: 208,
    status: { code: 2, message: "inventory unavailable" },
    events: [
      {
        name: "exception",
        timeUnixNano: ms(207),
        attributes: [str("exception.type", "Error"), str("exception.message", "inventory unavailable")],
      },
    ],
  }),
]);

function linesOf(text: string): string[] {
  return text.split("\n");
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function lineFor(lines: string[], name: string): string {
  const found = lines.find((l) => l.trimStart().startsWith(name));
  assert.ok(found, `no line for ${name} in:\n${lines.join("\n")}`);
  return found;
}

test("one block per trace, header with id, service and total duration", () => {
  const out = renderWaterfall([failing, checkout]);
  const blocks = out.split("\n\n");
  assert.is(blocks.length, 2);
  // Ordered by start time, not by input order.
  assert.match(blocks[0], new RegExp(`^trace ${TRACE_A}  demo-shop  100 ms`));
  assert.match(blocks[1], new RegExp(`^trace ${TRACE_B}  demo-shop  10\\.0 ms`));
  assert.is(linesOf(blocks[0]).length, 1 + 5);
});

test("spans form a tree: children under parents, ordered by start, indented by depth", () => {
  const lines = linesOf(renderWaterfall([checkout]).split("\n\n")[0]).slice(1);
  const names = lines.map((l) => l.trimStart().split(/\s{2,}|\s\[/)[0]);
  assert.equal(names, ["GET /checkout", "auth.verify", "cart.load", "db.query", "payment.charge"]);
  const root = indentOf(lineFor(lines, "GET /checkout"));
  assert.is(root, 0, "a span whose parent is not in the batch (remote parent) is a root");
  assert.is(indentOf(lineFor(lines, "auth.verify")), root + 2);
  assert.is(indentOf(lineFor(lines, "cart.load")), root + 2);
  assert.is(indentOf(lineFor(lines, "db.query")), root + 4);
  assert.is(indentOf(lineFor(lines, "payment.charge")), root + 2);
});

test("kind label, durations and key attributes", () => {
  const lines = linesOf(renderWaterfall(checkout));
  const root = lineFor(lines, "GET /checkout");
  assert.match(root, "GET /checkout [server]");
  assert.match(root, /100 ms/);
  assert.match(root, "http.request.method=GET");
  assert.match(root, "http.route=/checkout");
  assert.match(root, "http.response.status_code=200");
  const cart = lineFor(lines, "cart.load");
  assert.match(cart, /20\.0 ms/);
  assert.match(cart, "db.system=sqlite");
  assert.match(cart, "demo.cart_id=c-42");
  assert.not.match(lineFor(lines, "auth.verify"), "[", "INTERNAL spans carry no kind label");
  assert.match(lineFor(lines, "auth.verify"), /4\.00 ms/);
});

test("url.path only when it differs from http.route; values quoted only when spaced", () => {
  const out = renderWaterfall(
    request("api", [
      span({ spanId: "0000000000000001", name: "GET /users/:id", kind: 2, start: 0, end: 2,
        attributes: [str("http.route", "/users/:id"), str("url.path", "/users/7"), str("demo.note", "two words")] }),
      span({ spanId: "0000000000000002", name: "GET /health", kind: 2, start: 3, end: 4,
        attributes: [str("http.route", "/health"), str("url.path", "/health"), str("url.full", "http://h/x?a=1")] }),
    ]),
  );
  const lines = linesOf(out);
  assert.match(lineFor(lines, "GET /users/:id"), "http.route=/users/:id url.path=/users/7");
  assert.match(lineFor(lines, "GET /users/:id"), 'demo.note="two words"');
  assert.not.match(lineFor(lines, "GET /health"), "url.path=");
  assert.match(lineFor(lines, "GET /health"), "url.full=http://h/x?a=1");
});

test("bars sit on the trace's time axis", () => {
  const lines = linesOf(renderWaterfall(checkout, { width: 20, ascii: true }));
  const bar = (name: string) => {
    const m = lineFor(lines, name).match(/\|([= ]{20})\|/);
    assert.ok(m, `no 20-column bar on ${name}`);
    return m[1];
  };
  assert.is(bar("GET /checkout"), "=".repeat(20), "the root covers the whole trace");
  // payment.charge runs 60..90 of 0..100: columns 12..17.
  assert.is(bar("payment.charge").indexOf("="), 12);
  assert.is(bar("payment.charge").lastIndexOf("="), 17);
  assert.ok(bar("auth.verify").startsWith("="), "auth.verify starts near the trace start");
  // The Unicode default uses block characters of the same width.
  assert.match(renderWaterfall(checkout, { width: 20 }), /\|█{20}\|/);
});

test("errors: ERROR marker with status message and exception events", () => {
  const lines = linesOf(renderWaterfall([failing]));
  const root = lineFor(lines, "GET /fail");
  assert.match(root, "ERROR: inventory unavailable");
  assert.match(root, "error.type=500");
  const inner = lines.findIndex((l) => l.trimStart().startsWith("inventory.reserve"));
  assert.match(lines[inner], "ERROR: inventory unavailable");
  const exception = lines[inner + 1];
  assert.is(exception.trim(), "! exception: Error: inventory unavailable");
  assert.ok(indentOf(exception) > indentOf(lines[inner]), "the exception line is nested under its span");
  assert.not.match(renderWaterfall(checkout), "ERROR");
});

test("no ANSI escapes unless color is asked for", () => {
  assert.not.match(renderWaterfall([checkout, failing]), "\x1b[");
  const colored = renderWaterfall([checkout, failing], { color: true });
  assert.match(colored, "\x1b[31m");
  // Color does not change the text itself.
  assert.is(colored.replace(/\x1b\[\d+m/g, ""), renderWaterfall([checkout, failing]));
});

test("spans of one trace spread over several requests and resources are joined", () => {
  const [first, ...rest] = checkout.resourceSpans[0].scopeSpans[0].spans.slice().reverse();
  const backend = request("pricing", [
    span({ spanId: "00000000000000f1", parentSpanId: "00000000000000c3", name: "GET /price", kind: 2, start: 65, end: 70 }),
  ]);
  const out = renderWaterfall([request("demo-shop", [first]), backend, request("demo-shop", rest)]);
  assert.is(out.split("\n\n").length, 1);
  assert.match(out, /^trace \S+  demo-shop,pricing  /);
  const lines = linesOf(out);
  const pay = lines.findIndex((l) => l.trimStart().startsWith("payment.charge"));
  assert.ok(lines[pay + 1].trimStart().startsWith("GET /price [server]"));
  assert.is(indentOf(lines[pay + 1]), indentOf(lines[pay]) + 2);
});

test("malformed input does not throw and prints every span once", () => {
  assert.is(renderWaterfall([]), "");
  assert.is(renderWaterfall([{}, { resourceSpans: [{ scopeSpans: [{ spans: [null, { name: "no ids" }] }] }] }]), "");
  // A parent cycle: neither span is reachable from a root, both must still print.
  const cycle = request("x", [
    span({ spanId: "0000000000000001", parentSpanId: "0000000000000002", name: "one", start: 0, end: 1 }),
    span({ spanId: "0000000000000002", parentSpanId: "0000000000000001", name: "two", start: 0, end: 1 }),
  ]);
  const out = renderWaterfall(cycle);
  assert.is(out.match(/\bone\b/g)?.length, 1);
  assert.is(out.match(/\btwo\b/g)?.length, 1);
});

test("logs print under the span with their trace and span id, in time order, without stack traces", () => {
  const record = (spanId: string, at: number, body: string, extra: Record<string, unknown> = {}) => ({
    traceId: TRACE_A.toUpperCase(), // ids match case-insensitively
    spanId,
    timeUnixNano: ms(at),
    severityNumber: 9,
    body: { stringValue: body },
    ...extra,
  });
  const logs = [{
    resourceLogs: [{ scopeLogs: [{ logRecords: [
      record("00000000000000b2", 25, "cart loaded", { attributes: [int("demo.items", 2)] }),
      record("00000000000000b2", 15, "cart query sent"),
      record("00000000000000c3", 70, "charge failed", {
        severityNumber: 17,
        severityText: "ERROR",
        attributes: [str("exception.type", "Error"), str("exception.stacktrace", "Error: x\n    at y")],
      }),
      record("00000000000000ff", 70, "a span not shown"),
      { spanId: "00000000000000c3", body: { stringValue: "no trace id" } },
    ] }] }],
  }];
  const lines = renderWaterfall([checkout], { logs }).split("\n");
  const cart = lines.findIndex((l) => l.trimStart().startsWith("cart.load"));
  assert.equal(lines.slice(cart + 1, cart + 3), ["    log INFO cart query sent", "    log INFO cart loaded  demo.items=2"]);
  const pay = lines.findIndex((l) => l.trimStart().startsWith("payment.charge"));
  assert.is(lines[pay + 1], "    log ERROR charge failed  exception.type=Error");
  const text = lines.join("\n");
  assert.not.match(text, "a span not shown");
  assert.not.match(text, "no trace id");
  assert.not.match(text, "at y");
});

test("RED metrics: requests, errors, bucket-estimated percentiles and an exemplar per route", () => {
  const bounds = [0.01, 0.05, 0.1];
  const point = (route: string, status: number, counts: number[], extra: Record<string, unknown> = {}) => ({
    attributes: [str("http.request.method", "GET"), str("http.route", route), int("http.response.status_code", status)],
    startTimeUnixNano: ms(0),
    timeUnixNano: ms(100),
    count: String(counts.reduce((a, b) => a + b, 0)),
    explicitBounds: bounds,
    bucketCounts: counts.map(String),
    ...extra,
  });
  const metrics = (points: unknown[], temporality = 2, time = 100) => ({
    resourceMetrics: [{ scopeMetrics: [{ scope: { name: "s" }, metrics: [
      { name: "other", histogram: { aggregationTemporality: 2, dataPoints: [point("/x", 200, [9, 0, 0, 0])] } },
      { name: "http.server.request.duration", histogram: { aggregationTemporality: temporality, dataPoints: points.map((p: any) => ({ ...p, timeUnixNano: ms(time) })) } },
    ] }] }],
  });
  const early = metrics([point("/a", 200, [1, 1, 0, 0])], 2, 50); // an older cumulative point of the same series
  const late = metrics([
    point("/a", 200, [2, 2, 0, 0], { exemplars: [{ asDouble: 0.004, traceId: TRACE_A }, { asDouble: 0.03, traceId: TRACE_B }] }),
    point("/a", 500, [0, 0, 0, 1], { attributes: [str("http.request.method", "GET"), str("http.route", "/a"), int("http.response.status_code", 500), str("error.type", "500")] }),
  ]);
  const rows = redMetrics([early, late]);
  assert.is(rows.length, 1);
  const [a] = rows;
  assert.is(a.route, "GET /a");
  assert.is(a.requests, 5, "latest cumulative points only, across status codes");
  assert.is(a.errors, 1);
  // Counts [2, 2, 0, 1]: rank 2.5 falls in (0.01, 0.05] at 1/4 → 0.02; rank 4.95 in the overflow bucket → its lower edge 0.1.
  assert.ok(Math.abs(a.p50! - 0.02) < 1e-9, String(a.p50));
  assert.is(a.p99, 0.1);
  assert.is(a.exemplarTraceId, TRACE_B, "the exemplar of the slowest bucket that has one");

  const deltas = redMetrics([metrics([point("/a", 200, [1, 0, 0, 0])], 1), metrics([point("/a", 200, [1, 0, 0, 0])], 1)]);
  assert.is(deltas[0].requests, 2, "delta points add up");

  const table = renderRedMetrics([early, late]).split("\n");
  assert.match(table[0], /^route +requests +errors +p50 +p99 +exemplar trace$/);
  assert.match(table[1], new RegExp(`^GET /a +5 +1 +20\\.0 ms +100 ms +${TRACE_B}$`));
  assert.is(renderRedMetrics([]), "");
});

test.run();
