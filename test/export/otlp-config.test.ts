import { test } from "uvu";
import * as assert from "uvu/assert";
import { joinUrl, resolveOtlpConfig } from "../../src/export/otlp-config.ts";
import type { OtlpExporterOptions, OtlpSignal } from "../../src/export/otlp-config.ts";
import { diag, DiagLogLevel, resetDiagOnce } from "../../src/common/diag.ts";

const logs: string[] = [];
const capture = (m: string) => logs.push(m);
diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, DiagLogLevel.ALL);
test.before.each(() => {
  logs.length = 0;
  resetDiagOnce();
});

const URL_CASES: Array<[string, OtlpSignal, OtlpExporterOptions, Record<string, string>, string]> = [
  ["default traces", "traces", {}, {}, "http://localhost:4318/v1/traces"],
  ["default metrics", "metrics", {}, {}, "http://localhost:4318/v1/metrics"],
  ["default logs", "logs", {}, {}, "http://localhost:4318/v1/logs"],
  ["general endpoint gets the signal path", "traces", {}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, "http://collector:4318/v1/traces"],
  ["general endpoint trailing slash: one slash", "logs", {}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }, "http://collector:4318/v1/logs"],
  ["general endpoint with a base path", "metrics", {}, { OTEL_EXPORTER_OTLP_ENDPOINT: "https://gw.example.com/otlp/" }, "https://gw.example.com/otlp/v1/metrics"],
  ["per-signal endpoint used as-is", "traces", {}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:1234/custom" }, "http://t:1234/custom"],
  [
    "per-signal wins over general",
    "traces",
    {},
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:1/x", OTEL_EXPORTER_OTLP_ENDPOINT: "http://g:2" },
    "http://t:1/x",
  ],
  [
    "another signal's variable is ignored",
    "logs",
    {},
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:1/x", OTEL_EXPORTER_OTLP_ENDPOINT: "http://g:2" },
    "http://g:2/v1/logs",
  ],
  ["options.url wins over env, as-is", "traces", { url: "http://o:9/abc" }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:1/x" }, "http://o:9/abc"],
  ["options.endpoint is a base", "metrics", { endpoint: "http://o:9/" }, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://g:2" }, "http://o:9/v1/metrics"],
  ["empty env = unset", "traces", {}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "  ", OTEL_EXPORTER_OTLP_ENDPOINT: "" }, "http://localhost:4318/v1/traces"],
  ["invalid per-signal env falls through", "traces", {}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "not a url", OTEL_EXPORTER_OTLP_ENDPOINT: "http://g:2" }, "http://g:2/v1/traces"],
  ["invalid general env: default", "traces", {}, { OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, "http://localhost:4318/v1/traces"],
];

for (const [name, signal, options, env, expected] of URL_CASES) {
  test(`url: ${name}`, () => {
    assert.is(resolveOtlpConfig(signal, options, env).url, expected);
  });
}

test("invalid env URL warns naming the variable but not the value", () => {
  resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://user:s3cret@host" });
  assert.is(logs.length, 1);
  assert.match(logs[0]!, /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
  assert.not.match(logs[0]!, /s3cret/);
});

test("invalid options URL throws TypeError", () => {
  assert.throws(() => resolveOtlpConfig("traces", { url: "nope" }), (e: unknown) => e instanceof TypeError && /options\.url/.test((e as Error).message));
  assert.throws(() => resolveOtlpConfig("traces", { endpoint: "ws://x" }), TypeError);
});

test("headers: general merged with per-signal (per-signal wins), then options; names case-insensitive", () => {
  const c = resolveOtlpConfig(
    "traces",
    { headers: { "X-From-Options": "o", Authorization: "Bearer opt" } },
    {
      OTEL_EXPORTER_OTLP_HEADERS: "x-general=g,x-shared=general,authorization=Basic%20abc",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "X-Shared=signal,x-trace=t",
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: "x-logs=no",
    },
  );
  assert.equal(c.headers, {
    "x-general": "g",
    "x-shared": "signal",
    authorization: "Bearer opt",
    "x-trace": "t",
    "x-from-options": "o",
  });
  const env = resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_HEADERS: "authorization=Basic%20abc" });
  assert.equal(env.headers, { authorization: "Basic abc" }, "values are percent-decoded");
});

test("options.headers must be strings (the error names the header, not its value)", () => {
  assert.throws(
    () => resolveOtlpConfig("traces", { headers: { "x-key": 42 as unknown as string } }),
    (e: unknown) => e instanceof TypeError && /x-key/.test((e as Error).message),
  );
});

test("timeout: options, per-signal, general, default 10000; invalid env warns and is ignored", () => {
  assert.is(resolveOtlpConfig("traces", {}, {}).timeoutMillis, 10_000);
  assert.is(resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "5000" }).timeoutMillis, 5000);
  assert.is(resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "5000", OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2000" }).timeoutMillis, 2000);
  assert.is(resolveOtlpConfig("traces", { timeoutMillis: 700 }, { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2000" }).timeoutMillis, 700);
  assert.is(resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "soon" }).timeoutMillis, 10_000);
  assert.ok(logs.some((l) => /OTEL_EXPORTER_OTLP_TIMEOUT/.test(l)));
  assert.throws(() => resolveOtlpConfig("traces", { timeoutMillis: -1 }), RangeError);
});

test("timeout env is a spec Timeout: integer ms; 0 = no limit (the longest timer); floats and negatives warn", () => {
  assert.is(resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "0" }).timeoutMillis, 2_147_483_647);
  assert.is(resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "5000", OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "0" }).timeoutMillis, 2_147_483_647);
  logs.length = 0;
  assert.is(resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "1500.5" }).timeoutMillis, 10_000);
  assert.is(resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "-1", OTEL_EXPORTER_OTLP_TIMEOUT: "3000" }).timeoutMillis, 3000);
  assert.ok(logs.some((l) => /OTEL_EXPORTER_OTLP_TIMEOUT="1500\.5": expected an integer >= 0/.test(l)), logs.join("\n"));
  assert.ok(logs.some((l) => /OTEL_EXPORTER_OTLP_TRACES_TIMEOUT="-1"/.test(l)), logs.join("\n"));
});

test("compression: gzip|none from options, per-signal, general; default none; invalid ignored", () => {
  assert.is(resolveOtlpConfig("logs", {}, {}).compression, "none");
  assert.is(resolveOtlpConfig("logs", {}, { OTEL_EXPORTER_OTLP_COMPRESSION: "gzip" }).compression, "gzip");
  assert.is(resolveOtlpConfig("logs", {}, { OTEL_EXPORTER_OTLP_COMPRESSION: "gzip", OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: "none" }).compression, "none");
  assert.is(resolveOtlpConfig("logs", { compression: "gzip" }, { OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: "none" }).compression, "gzip");
  assert.is(resolveOtlpConfig("logs", {}, { OTEL_EXPORTER_OTLP_COMPRESSION: "brotli" }).compression, "none");
  assert.ok(logs.some((l) => /OTEL_EXPORTER_OTLP_COMPRESSION/.test(l)));
  assert.throws(() => resolveOtlpConfig("logs", { compression: "zstd" as "gzip" }), TypeError);
});

test("protocol: http/json accepted silently; anything else warns once and is ignored", () => {
  resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
  assert.equal(logs, []);
  const c = resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" });
  resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" });
  resolveOtlpConfig("traces", {}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" });
  assert.is(c.url, "http://localhost:4318/v1/traces");
  assert.is(logs.filter((l) => /OTEL_EXPORTER_OTLP_PROTOCOL.*http\/protobuf/.test(l)).length, 1);
  assert.is(logs.filter((l) => /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL.*grpc/.test(l)).length, 1);
});

test("joinUrl puts exactly one slash between base and path", () => {
  assert.is(joinUrl("http://a", "v1/traces"), "http://a/v1/traces");
  assert.is(joinUrl("http://a//", "/v1/traces"), "http://a/v1/traces");
  assert.is(joinUrl("http://a/p", "v1/logs"), "http://a/p/v1/logs");
});

test("joinUrl keeps a base URL's query at the end (the path joins the base's path)", () => {
  assert.is(joinUrl("http://a/p/?tenant=t1", "v1/traces"), "http://a/p/v1/traces?tenant=t1");
  assert.is(joinUrl("http://a?x=1&y=/z", "v1/logs"), "http://a/v1/logs?x=1&y=/z");
  const config = resolveOtlpConfig("metrics", {}, { OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example:4318/otlp?tenant=acme" });
  assert.is(config.url, "https://c.example:4318/otlp/v1/metrics?tenant=acme");
});

test.run();
