import { test } from "uvu";
import * as assert from "uvu/assert";
import { escapeHelp, escapeLabelValue, mapMetricName, renderLabelPairs, sanitizeLabelKey, sanitizeMetricName, unitToSuffix } from "../../../src/export/prometheus/name-mapping.ts";

test("metric names: invalid characters become one _, repeated _ collapse, leading digit gets _", () => {
  assert.is(sanitizeMetricName("http.server.duration"), "http_server_duration");
  assert.is(sanitizeMetricName("a-b..c__d"), "a_b_c_d");
  assert.is(sanitizeMetricName("1xx.count"), "_1xx_count");
  assert.is(sanitizeMetricName("ns:sub.metric"), "ns:sub_metric");
  assert.is(sanitizeMetricName("(lambda).function.executions(#)"), "_lambda_function_executions_");
  assert.is(sanitizeMetricName("café"), "caf_");
  assert.is(sanitizeMetricName(""), "_");
});

test("label keys: invalid characters → _, no __ prefix survives, leading digit gets _", () => {
  assert.is(sanitizeLabelKey("http.method"), "http_method");
  assert.is(sanitizeLabelKey("__reserved"), "_reserved");
  assert.is(sanitizeLabelKey("9lives"), "_9lives");
  assert.is(sanitizeLabelKey("ns:key"), "ns_key");
  assert.ok(/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(sanitizeLabelKey("ü-ber.key")));
});

test("units: spec table, annotations, a/b, 1 → ratio only for gauges, unknown units sanitized", () => {
  const table: Array<[string, string]> = [
    ["ms", "milliseconds"], ["s", "seconds"], ["us", "microseconds"], ["ns", "nanoseconds"], ["min", "minutes"], ["h", "hours"], ["d", "days"],
    ["By", "bytes"], ["KiBy", "kibibytes"], ["MiBy", "mebibytes"], ["GiBy", "gibibytes"], ["KBy", "kilobytes"], ["MBy", "megabytes"],
    ["m", "meters"], ["V", "volts"], ["A", "amperes"], ["J", "joules"], ["W", "watts"], ["g", "grams"], ["Cel", "celsius"], ["Hz", "hertz"], ["%", "percent"],
    ["m/s", "meters_per_second"], ["By/s", "bytes_per_second"], ["{request}/s", "per_second"], ["1/s", "per_second"], ["{packets}", ""], ["", ""],
    ["By{compressed}", "bytes"], ["widgets", "widgets"], ["foo-bar", "foo_bar"],
  ];
  for (const [unit, word] of table) assert.is(unitToSuffix(unit, false), word, unit);
  assert.is(unitToSuffix("1", true), "ratio");
  assert.is(unitToSuffix("1", false), "");
});

test("names: unit suffix once, _total stripped before the unit for counters", () => {
  assert.equal(mapMetricName("http.server.duration", "ms", "other"), { family: "http_server_duration_milliseconds", unit: "milliseconds" });
  assert.equal(mapMetricName("request_duration_seconds", "s", "other"), { family: "request_duration_seconds", unit: "seconds" });
  assert.equal(mapMetricName("system.memory.utilization", "1", "gauge"), { family: "system_memory_utilization_ratio", unit: "ratio" });
  assert.equal(mapMetricName("cache.hits", "1", "counter"), { family: "cache_hits", unit: "" });
  assert.equal(mapMetricName("requests_total", "{request}", "counter"), { family: "requests", unit: "" });
  assert.equal(mapMetricName("cpu.time_total", "s", "counter"), { family: "cpu_time_seconds", unit: "seconds" });
  // The unit must be a suffix (OpenMetrics): a name that merely contains it still gets it.
  assert.equal(mapMetricName("seconds_until_x", "s", "other"), { family: "seconds_until_x_seconds", unit: "seconds" });
  assert.equal(mapMetricName("net.io", "By", "counter"), { family: "net_io_bytes", unit: "bytes" });
});

test("escaping: label values escape \\ \" and newline; HELP escapes per format", () => {
  assert.is(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.is(escapeLabelValue("plain é ✓"), "plain é ✓");
  assert.is(escapeHelp('x\\y\n"z"', false), 'x\\\\y\\n"z"');
  assert.is(escapeHelp('x\\y\n"z"', true), 'x\\\\y\\n\\"z\\"');
});

test("label pairs: non-string values, and colliding keys merged with ; in sorted original-key order", () => {
  assert.is(renderLabelPairs({ a: 1, b: true, c: ["x", "y"], d: undefined }), 'a="1",b="true",c="[\\"x\\",\\"y\\"]"');
  // "a.b" < "a/b" < "a_b" lexicographically; all sanitize to a_b.
  assert.is(renderLabelPairs({ "a_b": "3", "a.b": "1", z: "z", "a/b": "2" }), 'a_b="1;2;3",z="z"');
  assert.is(renderLabelPairs({ empty: "" }), 'empty=""');
  const reported: string[] = [];
  assert.is(renderLabelPairs({ le: "x", k: "v" }, new Set(["le"]), (k) => reported.push(k)), 'k="v"');
  assert.equal(reported, ["le"]);
});

test.run();
