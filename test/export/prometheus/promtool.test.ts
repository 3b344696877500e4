// Conformance: `promtool check metrics` (the real Prometheus parser + linter) on our text
// 0.0.4 output for adversarial input, plus structural checks of our own on both formats.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderOpenMetrics, renderPrometheusText } from "../../../src/export/prometheus/text-format.ts";
import { ensurePrometheusTools, promtoolCheckMetrics } from "../../../scripts/prometheus-tools.mjs";
import { collection, counter, gauge, histValue, histogram, parseSamples, point, scope, upDown } from "./fixtures.ts";

ensurePrometheusTools();

const nasty = ['quo"te', "back\\slash", "new\nline", "", "ünï©ødé ✓ 漢字", "}{,=", "trailing\\", "\\n literal"];

function adversarial() {
  const many = Array.from({ length: 3000 }, (_, i) => point(i * 1.5, { "shard.id": String(i % 300), "tenant-name": `t${Math.floor(i / 300)}` }));
  return [collection([
    scope("my.lib/with\"odd\\scope", [
      counter("http.server.requests", nasty.map((v, i) => point(i, { "http.method": v, "9th.key": "n", "weird key!": v })), "{request}", 'Requests with "quotes" and \\ and\nnewline'),
      counter("1st-metric.count", [point(1, { "a.b": "dot", "a-b": "dash", "a_b": "under" })], ""),
      gauge("system.memory.utilization", [point(0.5, { "host.name": "h\"1" })], "1"),
      upDown("queue.depth", [point(-5, { q: "" })], "{item}"),
      histogram("http.server.request.duration", nasty.map((v, i) => point(histValue([0.001 * i, 0.3, 2.5, 11]), { route: v })), "s"),
      histogram("payload.size", [point(histValue([10, 2e6], [0, 1024, 1048576]), {})], "By"),
      counter("many.series", many, "", "thousands of series"),
    ], "1.0.0\n\"x\""),
    scope("second.scope", [counter("http.server.requests", [point(99, { "http.method": "GET" })], "{request}")]),
  ], { "service.name": 'svc "quoted"', "service.instance.id": "i\\1", "deployment.environment": "prod\nline" })];
}

test("promtool check metrics reports nothing on adversarial text 0.0.4", async () => {
  const text = renderPrometheusText(adversarial());
  const { code, output } = await promtoolCheckMetrics(text);
  assert.is(output.trim(), "", output);
  assert.is(code, 0);
});

test("promtool rejects broken escaping (the check has teeth)", async () => {
  const { code } = await promtoolCheckMetrics('# HELP x_total h\n# TYPE x_total counter\nx_total{a="un"escaped"} 1\n');
  assert.is.not(code, 0);
});

for (const om of [false, true]) {
  test(`structure (${om ? "OpenMetrics" : "0.0.4"}): one HELP/TYPE per family, no duplicate series, buckets monotonic, +Inf == _count`, () => {
    const text = om ? renderOpenMetrics(adversarial()) : renderPrometheusText(adversarial());
    const typeLines = text.split("\n").filter((l) => l.startsWith("# TYPE "));
    const helpLines = text.split("\n").filter((l) => l.startsWith("# HELP "));
    const typeNames = typeLines.map((l) => l.split(" ")[2]);
    assert.is(new Set(typeNames).size, typeNames.length);
    assert.is(new Set(helpLines.map((l) => l.split(" ")[2])).size, helpLines.length);
    if (om) assert.ok(text.endsWith("\n# EOF\n") || text.endsWith("# EOF\n"));
    const samples = parseSamples(om ? text.replace(/# EOF\n$/, "") : text);
    const seen = new Set<string>();
    for (const s of samples) {
      const key = s.name + JSON.stringify(Object.entries(s.labels).sort());
      assert.not.ok(seen.has(key), `duplicate series ${key}`);
      seen.add(key);
      assert.ok(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s.name));
      for (const k of Object.keys(s.labels)) assert.ok(/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) && !k.startsWith("__"), k);
    }
    // Round trip of label values through escaping.
    const methods = samples.filter((s) => s.name === "http_server_requests_total" && s.labels.otel_scope_name !== "second.scope").map((s) => s.labels.http_method);
    assert.equal(methods, nasty);
    const scopeName = samples.find((s) => s.name === "http_server_requests_total")!.labels.otel_scope_name;
    assert.is(scopeName, 'my.lib/with"odd\\scope');
    // Colliding keys merged in sorted original-key order: "a-b" < "a.b" < "a_b".
    assert.is(samples.find((s) => s.name === "_1st_metric_count_total")!.labels.a_b, "dash;dot;under");
    // Histograms.
    const groups = new Map<string, Array<{ le: number; v: number }>>();
    for (const s of samples.filter((x) => x.name.endsWith("_bucket"))) {
      const { le, ...rest } = s.labels;
      const key = s.name + JSON.stringify(Object.entries(rest).sort());
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push({ le: le === "+Inf" ? Infinity : Number(le), v: Number(s.value) });
    }
    assert.ok(groups.size >= nasty.length + 1);
    for (const [key, buckets] of groups) {
      for (let i = 1; i < buckets.length; i++) {
        assert.ok(buckets[i]!.le > buckets[i - 1]!.le, `le ascending in ${key}`);
        assert.ok(buckets[i]!.v >= buckets[i - 1]!.v, `cumulative in ${key}`);
      }
      assert.is(buckets[buckets.length - 1]!.le, Infinity);
      const base = key.slice(0, key.indexOf("_bucket"));
      const labels = key.slice(key.indexOf("_bucket") + 7);
      const count = samples.find((s) => s.name === base + "_count" && JSON.stringify(Object.entries(s.labels).sort()) === labels)!;
      assert.is(Number(count.value), buckets[buckets.length - 1]!.v);
    }
    assert.is(samples.filter((s) => s.name === "many_series_total").length, 3000);
  });
}

test.run();
