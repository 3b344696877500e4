import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../../src/common/diag.ts";
import { exponentialToExplicit, formatValue, renderIncrementally, renderOpenMetrics, renderPrometheusText } from "../../../src/export/prometheus/text-format.ts";
import type { MetricData } from "../../../src/metrics/types.ts";
import { collection, counter, gauge, histValue, histogram, parseSamples, point, scope, upDown } from "./fixtures.ts";
import { captureDiag } from "../../helpers/capture-diag.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const ex = (value: number) => ({ value, time: 5, traceId: TRACE, spanId: SPAN, filteredAttributes: { user: "u1" } });

test("formatValue: infinities, NaN, integers without .0, shortest round-trip", () => {
  assert.is(formatValue(Infinity), "+Inf");
  assert.is(formatValue(-Infinity), "-Inf");
  assert.is(formatValue(NaN), "NaN");
  assert.is(formatValue(3), "3");
  assert.is(formatValue(0.1 + 0.2), "0.30000000000000004");
  assert.is(Number(formatValue(1e-7)), 1e-7);
});

test("text 0.0.4: counter family named with _total, one HELP/TYPE across scopes, scope labels keep series distinct", () => {
  const text = renderPrometheusText([collection([
    scope("lib.a", [counter("http.requests", [point(3, { method: "GET" })], "{request}", "Requests\nserved \\ total")], "1.2.3"),
    scope("lib.b", [counter("http.requests", [point(4, { method: "GET" })], "{request}")]),
  ])]);
  assert.is(text.match(/^# TYPE http_requests_total counter$/gm)?.length, 1);
  assert.is(text.match(/^# HELP http_requests_total /gm)?.length, 1);
  assert.ok(text.includes("# HELP http_requests_total Requests\\nserved \\\\ total\n"));
  const samples = parseSamples(text).filter((s) => s.name === "http_requests_total");
  assert.equal(samples.map((s) => [s.labels.otel_scope_name, s.labels.otel_scope_version, s.value]), [["lib.a", "1.2.3", "3"], ["lib.b", undefined, "4"]]);
  assert.ok(text.startsWith("# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{service_name=\"svc\"} 1\n"));
  assert.not.ok(text.includes("# EOF"));
});

test("histograms: cumulative ascending buckets, +Inf equals _count, _sum; negative observations drop _sum", () => {
  const text = renderPrometheusText([collection([scope("s", [
    histogram("latency", [point(histValue([0.2, 3, 3, 7, 12, 99999], [1, 5, 10]), { route: "/x" })], "s"),
    histogram("delta.t", [point(histValue([-2, 3], [0]))], "", "cumulative"),
  ])])]);
  const s = parseSamples(text);
  const buckets = s.filter((x) => x.name === "latency_seconds_bucket");
  assert.equal(buckets.map((b) => [b.labels.le, b.value]), [["1", "1"], ["5", "3"], ["10", "4"], ["+Inf", "6"]]);
  assert.is(s.find((x) => x.name === "latency_seconds_count")!.value, "6");
  assert.is(Number(s.find((x) => x.name === "latency_seconds_sum")!.value), 0.2 + 3 + 3 + 7 + 12 + 99999);
  assert.ok(s.some((x) => x.name === "delta_t_count"));
  assert.not.ok(s.some((x) => x.name === "delta_t_sum"));
});

test("gauges, up-down counters as gauge, unit 1 → _ratio only for gauges, summaries", () => {
  const summary: MetricData = {
    descriptor: { name: "rpc.latency", description: "d", unit: "s", type: "histogram", valueType: 1 },
    dataPointType: "summary",
    dataPoints: [point({ count: 10, sum: 5.5, quantiles: [{ quantile: 0.99, value: 2 }, { quantile: 0.5, value: 0.4 }] })],
  };
  const text = renderPrometheusText([collection([scope("s", [gauge("mem.util", [point(0.25)], "1"), upDown("queue.depth", [point(-3)], "{item}"), summary])])], { withoutScopeInfo: true, withoutTargetInfo: true });
  assert.ok(text.includes("# TYPE mem_util_ratio gauge\nmem_util_ratio 0.25\n"));
  assert.ok(text.includes("# TYPE queue_depth gauge\nqueue_depth -3\n"));
  assert.ok(text.includes('# TYPE rpc_latency_seconds summary\nrpc_latency_seconds{quantile="0.5"} 0.4\nrpc_latency_seconds{quantile="0.99"} 2\nrpc_latency_seconds_sum 5.5\nrpc_latency_seconds_count 10\n'));
  assert.not.ok(text.includes("otel_scope_name"));
  assert.not.ok(text.includes("target_info"));
});

test("delta sums and histograms are dropped with one warning; TYPE conflicts drop the later metric", () => {
  const messages = captureDiag();
  const delta: MetricData = { ...(counter("d.sum", [point(1)]) as Extract<MetricData, { dataPointType: "sum" }>), temporality: "delta" };
  const text = renderPrometheusText([collection([scope("s", [delta, histogram("d.h", [point(histValue([1]))], "", "delta"), counter("clash", [point(1)]), gauge("clash", [point(2)])])])]);
  renderPrometheusText([collection([scope("s", [delta])])]);
  assert.not.ok(text.includes("d_sum"));
  assert.not.ok(text.includes("d_h"));
  assert.ok(text.includes("# TYPE clash_total counter"));
  assert.not.ok(/^clash /m.test(text));
  assert.is(messages.filter((m) => m.includes('"d.sum"')).length, 1);
  assert.ok(messages.some((m) => m.includes("already has TYPE counter")));
  diag.setLogger();
});

test("duplicate series after sanitizing keep the first; reserved labels are dropped", () => {
  const messages = captureDiag();
  const text = renderPrometheusText([collection([scope("s", [
    gauge("g", [point(1, { "a.b": "x" }), point(2, { a_b: "x" })]),
    histogram("h", [point(histValue([1], [5]), { le: "evil" })]),
  ])])], { withoutTargetInfo: true });
  const g = parseSamples(text).filter((x) => x.name === "g");
  assert.equal(g.map((x) => x.value), ["1"]);
  assert.not.ok(text.includes("evil"));
  assert.ok(messages.some((m) => m.includes("same labels")));
  diag.setLogger();
});

test("OpenMetrics: family without _total, UNIT, exemplars on counters and buckets, # EOF", () => {
  const text = renderOpenMetrics([collection([scope("s", [
    counter("jobs.done", [point(5, {}, [ex(1), { ...ex(2), time: 9 }])], "s", 'he said "hi"'),
    histogram("lat", [point(histValue([0.5, 3, 8], [1, 5, 10]), {}, [ex(0.5), { ...ex(3), time: 9 }, ex(2)])], "s"),
    gauge("g", [point(1, {}, [ex(1)])]),
  ])])]);
  assert.ok(text.endsWith("# EOF\n"));
  assert.ok(text.includes("# TYPE target info\n"));
  assert.ok(text.includes('# TYPE jobs_done_seconds counter\n# UNIT jobs_done_seconds seconds\n# HELP jobs_done_seconds he said \\"hi\\"\n'));
  const s = parseSamples(text.replace("# EOF\n", ""));
  const c = s.find((x) => x.name === "jobs_done_seconds_total")!;
  assert.ok(c.exemplar!.startsWith(`{trace_id="${TRACE}",span_id="${SPAN}",user="u1"} 2 `), c.exemplar);
  assert.ok(/ \d+\.\d{3}$/.test(c.exemplar!));
  const buckets = s.filter((x) => x.name === "lat_seconds_bucket");
  assert.equal(buckets.map((b) => b.labels.le), ["1.0", "5.0", "10.0", "+Inf"]);
  // One exemplar per bucket, the latest that falls in it; none repeated on the buckets above.
  assert.equal(buckets.map((b) => b.exemplar?.split(" ")[1]), ["0.5", "3", undefined, undefined]);
  assert.is(s.find((x) => x.name === "g")!.exemplar, undefined);
});

test("OpenMetrics: each exemplar only on the lowest bucket that includes its value (a value on a boundary belongs to that bucket)", () => {
  const exemplars = [ex(0.4), ex(1), { ...ex(7), time: 6 }, { ...ex(6), time: 7 }, ex(-3)];
  const text = renderOpenMetrics([collection([scope("s", [histogram("lat", [point(histValue([0.4, 1, 7, 6, -3], [0, 0.5, 1, 5]), {}, exemplars)])])])]);
  const lines = text.split("\n").filter((l) => l.startsWith("lat_bucket"));
  assert.equal(lines.map((l) => [l.slice(l.indexOf('le="') + 4, l.indexOf('"}')), l.includes(" # ") ? l.slice(l.indexOf(" # ")).split(" ")[3] : undefined]), [
    ["0.0", "-3"],
    ["0.5", "0.4"],
    ["1.0", "1"],
    ["5.0", undefined],
    ["+Inf", "6"], // 7 and 6 both above 5: the latest (6, time 7)
  ]);
  // Before issue 18, 0.4 was repeated on le 1.0, 5.0 and +Inf: each value appears once now.
  assert.is(text.split(" # {").length - 1, 4);
});

test("exponential histograms become explicit buckets at their boundaries", () => {
  const v = exponentialToExplicit({ count: 7, sum: 10, min: -3, max: 6, scale: 0, zeroCount: 1, zeroThreshold: 0, positive: { offset: 0, bucketCounts: [2, 3] }, negative: { offset: 1, bucketCounts: [1] } });
  // negative index 1 covers [-4, -2); positive 0: (1, 2], 1: (2, 4]
  assert.equal(v.boundaries, [-2, 0, 2, 4]);
  assert.equal(v.bucketCounts, [1, 1, 2, 3, 0]);
  const text = renderPrometheusText([collection([scope("s", [{ descriptor: { name: "e", description: "", unit: "", type: "histogram", valueType: 1 }, dataPointType: "exponentialHistogram", temporality: "cumulative", dataPoints: [point({ count: 7, sum: 10, min: -3, max: 6, scale: 0, zeroCount: 1, zeroThreshold: 0, positive: { offset: 0, bucketCounts: [2, 3] }, negative: { offset: 1, bucketCounts: [1] } })] }])])]);
  assert.ok(text.includes('e_bucket{otel_scope_name="s",le="+Inf"} 7\n'));
  assert.ok(text.includes('e_bucket{otel_scope_name="s",le="-2"} 1\n'));
});

test("incremental rendering yields the same text as the synchronous one", async () => {
  const points = Array.from({ length: 2500 }, (_, i) => point(i, { i: String(i) }));
  const c = [collection([scope("s", [counter("c", points), histogram("h", points.slice(0, 50).map((p) => point(histValue([p.value]), p.attributes)))])])];
  assert.is(await renderIncrementally(c, false, undefined, 100), renderPrometheusText(c));
  assert.is(await renderIncrementally(c, true, undefined, 7), renderOpenMetrics(c));
});

test.run();
