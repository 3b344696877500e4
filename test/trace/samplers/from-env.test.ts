import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, DiagLogLevel } from "../../../src/common/diag.ts";
import { samplerFromEnv } from "../../../src/trace/samplers/from-env.ts";

const warnings: string[] = [];
diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);

const DEFAULT = "ParentBased{root=AlwaysOnSampler, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}";
const pb = (root: string) => DEFAULT.replace("root=AlwaysOnSampler", `root=${root}`);

function check(env: Record<string, string | undefined> | undefined, expected: string, warn?: RegExp) {
  warnings.length = 0;
  assert.is(samplerFromEnv(env).toString(), expected, JSON.stringify(env));
  if (warn) {
    assert.is(warnings.length, 1, `one warning for ${JSON.stringify(env)}: ${warnings.join(" | ")}`);
    assert.match(warnings[0]!, warn);
  } else {
    assert.equal(warnings, [], JSON.stringify(env));
  }
}

test("default is parentbased_always_on (no env, unset, empty)", () => {
  check(undefined, DEFAULT);
  check({}, DEFAULT);
  check({ OTEL_TRACES_SAMPLER: "" }, DEFAULT);
  check({ OTEL_TRACES_SAMPLER: "   " }, DEFAULT);
});

test("every spec sampler name", () => {
  check({ OTEL_TRACES_SAMPLER: "always_on" }, "AlwaysOnSampler");
  check({ OTEL_TRACES_SAMPLER: "always_off" }, "AlwaysOffSampler");
  check({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" }, "TraceIdRatioBased{0.25}");
  check({ OTEL_TRACES_SAMPLER: "parentbased_always_on" }, DEFAULT);
  check({ OTEL_TRACES_SAMPLER: "parentbased_always_off" }, pb("AlwaysOffSampler"));
  check({ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.001" }, pb("TraceIdRatioBased{0.001}"));
  check({ OTEL_TRACES_SAMPLER: " TraceIdRatio ", OTEL_TRACES_SAMPLER_ARG: " 0.5 " }, "TraceIdRatioBased{0.5}");
});

test("ratio argument: default 1.0, bounds inclusive", () => {
  check({ OTEL_TRACES_SAMPLER: "traceidratio" }, "TraceIdRatioBased{1}");
  check({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "" }, "TraceIdRatioBased{1}");
  check({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0" }, "TraceIdRatioBased{0}");
  check({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1" }, "TraceIdRatioBased{1}");
});

test("invalid ratio arguments warn naming the variable and the accepted form, and use 1.0", () => {
  for (const arg of ["abc", "1.5", "-0.1", "NaN", "Infinity", "0.5.1"]) {
    check(
      { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: arg },
      pb("TraceIdRatioBased{1}"),
      /^Ignoring OTEL_TRACES_SAMPLER_ARG=.*expected a number in \[0, 1\]; using 1\.0\.$/,
    );
  }
});

test("the argument is ignored by samplers that take none", () => {
  check({ OTEL_TRACES_SAMPLER: "always_on", OTEL_TRACES_SAMPLER_ARG: "abc" }, "AlwaysOnSampler");
});

test("unsupported spec samplers (jaeger_remote, xray) warn and fall back to the default", () => {
  for (const name of ["jaeger_remote", "parentbased_jaeger_remote", "xray"]) {
    check({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: "endpoint=http://localhost:14250" }, DEFAULT, /OTEL_TRACES_SAMPLER=.* is not supported by otel-edge; using parentbased_always_on/);
  }
});

test("unknown names warn listing the accepted values and fall back to the default", () => {
  check({ OTEL_TRACES_SAMPLER: "sometimes" }, DEFAULT, /^Ignoring OTEL_TRACES_SAMPLER="sometimes": expected one of always_on, .*parentbased_otel_edge_ratelimiting; using parentbased_always_on\.$/);
});

test("otel-edge rate-limiting extension: traces per second, default 1", () => {
  check({ OTEL_TRACES_SAMPLER: "otel_edge_ratelimiting", OTEL_TRACES_SAMPLER_ARG: "25" }, "RateLimitingSampler{25}");
  check({ OTEL_TRACES_SAMPLER: "parentbased_otel_edge_ratelimiting", OTEL_TRACES_SAMPLER_ARG: "0.5" }, pb("RateLimitingSampler{0.5}"));
  check({ OTEL_TRACES_SAMPLER: "otel_edge_ratelimiting" }, "RateLimitingSampler{1}");
  check({ OTEL_TRACES_SAMPLER: "otel_edge_ratelimiting", OTEL_TRACES_SAMPLER_ARG: "-3" }, "RateLimitingSampler{1}", /OTEL_TRACES_SAMPLER_ARG="-3": expected a number of traces per second >= 0; using 1/);
});

test("non-string env values (Workers bindings) count as unset", () => {
  check({ OTEL_TRACES_SAMPLER: { name: "always_off" } as unknown as string }, DEFAULT);
});

test.run();
