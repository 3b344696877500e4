import { test } from "uvu";
import * as assert from "uvu/assert";
import { joinUrl, otlpOptionsFromEnv, resolveOtlpConfig } from "../../src/export/otlp-config.ts";
import type { OtlpExporterOptions, OtlpSignal, ResolvedOtlpConfig } from "../../src/export/otlp-config.ts";
import { diag, DiagLogLevel, resetDiagOnce } from "../../src/common/diag.ts";
import type { EnvRecord } from "../../src/common/env.ts";

const logs: string[] = [];
const capture = (m: string) => logs.push(m);
diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, DiagLogLevel.ALL);
test.before.each(() => {
  logs.length = 0;
  resetDiagOnce();
});

/** What `init()` does: the options completed from `env`, then checked and defaulted by the exporter. */
const resolve = (signal: OtlpSignal, options: OtlpExporterOptions = {}, env?: EnvRecord): ResolvedOtlpConfig =>
  resolveOtlpConfig(signal, otlpOptionsFromEnv(signal, env, options));

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
    assert.is(resolve(signal, options, env).url, expected);
  });
}

test("invalid env URL warns naming the variable but not the value", () => {
  resolve("traces", {}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://user:s3cret@host" });
  assert.is(logs.length, 1);
  assert.match(logs[0]!, /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
  assert.not.match(logs[0]!, /s3cret/);
});

test("invalid options URL throws TypeError", () => {
  assert.throws(() => resolve("traces", { url: "nope" }), (e: unknown) => e instanceof TypeError && /options\.url/.test((e as Error).message));
  assert.throws(() => resolve("traces", { endpoint: "ws://x" }), TypeError);
});

test("headers: general merged with per-signal (per-signal wins), then options; names case-insensitive", () => {
  const c = resolve(
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
  const env = resolve("traces", {}, { OTEL_EXPORTER_OTLP_HEADERS: "authorization=Basic%20abc" });
  assert.equal(env.headers, { authorization: "Basic abc" }, "values are percent-decoded");
});

test("options.headers must be strings (the error names the header, not its value)", () => {
  assert.throws(
    () => resolve("traces", { headers: { "x-key": 42 as unknown as string } }),
    (e: unknown) => e instanceof TypeError && /x-key/.test((e as Error).message),
  );
});

test("timeout: options, per-signal, general, default 10000; invalid env warns and is ignored", () => {
  assert.is(resolve("traces", {}, {}).timeoutMillis, 10_000);
  assert.is(resolve("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "5000" }).timeoutMillis, 5000);
  assert.is(resolve("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "5000", OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2000" }).timeoutMillis, 2000);
  assert.is(resolve("traces", { timeoutMillis: 700 }, { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2000" }).timeoutMillis, 700);
  assert.is(resolve("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "soon" }).timeoutMillis, 10_000);
  assert.ok(logs.some((l) => /OTEL_EXPORTER_OTLP_TIMEOUT/.test(l)));
  assert.throws(() => resolve("traces", { timeoutMillis: -1 }), RangeError);
});

test("timeout env is a spec Timeout: integer ms; 0 = no limit (the longest timer); floats and negatives warn", () => {
  assert.is(resolve("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "0" }).timeoutMillis, 2_147_483_647);
  assert.is(resolve("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "5000", OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "0" }).timeoutMillis, 2_147_483_647);
  logs.length = 0;
  assert.is(resolve("traces", {}, { OTEL_EXPORTER_OTLP_TIMEOUT: "1500.5" }).timeoutMillis, 10_000);
  assert.is(resolve("traces", {}, { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "-1", OTEL_EXPORTER_OTLP_TIMEOUT: "3000" }).timeoutMillis, 3000);
  assert.ok(logs.some((l) => /OTEL_EXPORTER_OTLP_TIMEOUT="1500\.5": expected an integer >= 0/.test(l)), logs.join("\n"));
  assert.ok(logs.some((l) => /OTEL_EXPORTER_OTLP_TRACES_TIMEOUT="-1"/.test(l)), logs.join("\n"));
});

test("compression: gzip|none from options, per-signal, general; default none; invalid ignored", () => {
  assert.is(resolve("logs", {}, {}).compression, "none");
  assert.is(resolve("logs", {}, { OTEL_EXPORTER_OTLP_COMPRESSION: "gzip" }).compression, "gzip");
  assert.is(resolve("logs", {}, { OTEL_EXPORTER_OTLP_COMPRESSION: "gzip", OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: "none" }).compression, "none");
  assert.is(resolve("logs", { compression: "gzip" }, { OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: "none" }).compression, "gzip");
  assert.is(resolve("logs", {}, { OTEL_EXPORTER_OTLP_COMPRESSION: "brotli" }).compression, "none");
  assert.ok(logs.some((l) => /OTEL_EXPORTER_OTLP_COMPRESSION/.test(l)));
  assert.throws(() => resolve("logs", { compression: "zstd" as "gzip" }), TypeError);
});

test("protocol: http/json accepted silently; anything else warns once and is ignored", () => {
  resolve("traces", {}, { OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
  assert.equal(logs, []);
  const c = resolve("traces", {}, { OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" });
  resolve("traces", {}, { OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" });
  resolve("traces", {}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" });
  assert.is(c.url, "http://localhost:4318/v1/traces");
  assert.is(logs.filter((l) => /OTEL_EXPORTER_OTLP_PROTOCOL.*http\/protobuf/.test(l)).length, 1);
  assert.is(logs.filter((l) => /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL.*grpc/.test(l)).length, 1);
});

test("resolveOtlpConfig takes options only: defaults, code settings, lower-cased headers", () => {
  assert.equal(resolveOtlpConfig("traces"), { url: "http://localhost:4318/v1/traces", headers: {}, timeoutMillis: 10_000, compression: "none" });
  assert.equal(resolveOtlpConfig("logs", { endpoint: "http://o:9/base", headers: { "X-Key": "k" }, timeoutMillis: 5, compression: "gzip" }), {
    url: "http://o:9/base/v1/logs",
    headers: { "x-key": "k" },
    timeoutMillis: 5,
    compression: "gzip",
  });
  assert.is(resolveOtlpConfig("metrics", { url: "http://o:9/m", endpoint: "http://ignored:1" }).url, "http://o:9/m");
  assert.throws(() => resolveOtlpConfig("traces", { timeoutMillis: null as unknown as number }), RangeError);
  assert.throws(() => resolveOtlpConfig("traces", { compression: null as unknown as "gzip" }), TypeError);
  assert.throws(() => resolveOtlpConfig("traces", { headers: "x=y" as unknown as Record<string, string> }), TypeError);
});

test("otlpOptionsFromEnv: the per-signal endpoint becomes url, the general one endpoint; a code url or endpoint beats both", () => {
  const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:1/x", OTEL_EXPORTER_OTLP_ENDPOINT: "http://g:2" };
  assert.is(otlpOptionsFromEnv("traces", env).url, "http://t:1/x");
  assert.is(otlpOptionsFromEnv("traces", env).endpoint, undefined);
  assert.is(otlpOptionsFromEnv("logs", env).url, undefined);
  assert.is(otlpOptionsFromEnv("logs", env).endpoint, "http://g:2");
  // A code endpoint (a base) wins over the env's per-signal URL, and a code url over the env's base.
  const codeEndpoint = otlpOptionsFromEnv("traces", env, { endpoint: "http://code:3" });
  assert.equal([codeEndpoint.url, codeEndpoint.endpoint], [undefined, "http://code:3"]);
  assert.is(resolveOtlpConfig("traces", codeEndpoint).url, "http://code:3/v1/traces");
  const codeUrl = otlpOptionsFromEnv("logs", env, { url: "http://code:3/l" });
  assert.equal([codeUrl.url, codeUrl.endpoint], ["http://code:3/l", undefined]);
});

test("otlpOptionsFromEnv keeps the other options, does not change its argument, and leaves malformed options for the exporter to reject", () => {
  const fetchFn = (() => Promise.resolve(new Response(null))) as typeof fetch;
  const options: OtlpExporterOptions = { fetch: fetchFn, keepalive: true, headers: { "X-A": "1" } };
  const out = otlpOptionsFromEnv("traces", { OTEL_EXPORTER_OTLP_HEADERS: "x-b=2", OTEL_EXPORTER_OTLP_TIMEOUT: "700" }, options);
  assert.is(out.fetch, fetchFn);
  assert.is(out.keepalive, true);
  assert.equal(out.headers, { "x-b": "2", "x-a": "1" });
  assert.is(out.timeoutMillis, 700);
  assert.equal(options, { fetch: fetchFn, keepalive: true, headers: { "X-A": "1" } });
  // null is not "unset": the env does not fill it in, and the exporter throws at construction.
  const bad = otlpOptionsFromEnv("traces", { OTEL_EXPORTER_OTLP_TIMEOUT: "700" }, { timeoutMillis: null as unknown as number });
  assert.throws(() => resolveOtlpConfig("traces", bad), RangeError);
  assert.throws(() => otlpOptionsFromEnv("traces", {}, { headers: { k: 1 as unknown as string } }), TypeError);
});

test("otlpOptionsFromEnv for metrics reads the temporality preference (the option wins); other signals don't", () => {
  const env = { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "Delta" };
  assert.is(otlpOptionsFromEnv("metrics", env).temporalityPreference, "delta");
  assert.is(otlpOptionsFromEnv("metrics", env, { temporalityPreference: "lowmemory" }).temporalityPreference, "lowmemory");
  assert.is(otlpOptionsFromEnv("metrics", {}).temporalityPreference, undefined);
  assert.not.ok("temporalityPreference" in otlpOptionsFromEnv("traces", env));
});

test("joinUrl puts exactly one slash between base and path", () => {
  assert.is(joinUrl("http://a", "v1/traces"), "http://a/v1/traces");
  assert.is(joinUrl("http://a//", "/v1/traces"), "http://a/v1/traces");
  assert.is(joinUrl("http://a/p", "v1/logs"), "http://a/p/v1/logs");
});

test("joinUrl keeps a base URL's query at the end (the path joins the base's path)", () => {
  assert.is(joinUrl("http://a/p/?tenant=t1", "v1/traces"), "http://a/p/v1/traces?tenant=t1");
  assert.is(joinUrl("http://a?x=1&y=/z", "v1/logs"), "http://a/v1/logs?x=1&y=/z");
  const config = resolve("metrics", {}, { OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example:4318/otlp?tenant=acme" });
  assert.is(config.url, "https://c.example:4318/otlp/v1/metrics?tenant=acme");
});

test.run();
