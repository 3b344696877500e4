// The Workers and browser init() bundle the short shape check of the options only (the full
// entries add the value checks): a JavaScript caller's malformed option still fails at init(),
// naming the option and what it takes, and nothing is registered.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { trace } from "../../src/trace/trace-api.ts";
import { init as workersInit } from "../../src/runtime/workers-init.ts";
import { init as browserInit } from "../../src/runtime/browser-init.ts";

const MALFORMED: Array<[Record<string, unknown>, RegExp]> = [
  [{ otlp: "https://collector.example.com" }, /options\.otlp must be an object, got "https:\/\/collector\.example\.com"/],
  // One setting for three signals: a signal's full URL would send metrics and logs to the traces path.
  [{ otlp: { url: "https://collector.example.com/v1/traces" } }, /options\.otlp\.url is not accepted/],
  [{ resourceAttributes: "team=edge" }, /options\.resourceAttributes must be an object/],
  [{ sampler: {} }, /options\.sampler must be a sampler \(an object with shouldSample\(\)\)/],
  [{ serviceName: 42 }, /options\.serviceName must be a non-empty string, got 42/],
  [{ spanProcessors: [{}] }, /options\.spanProcessors\[0\] must be a span processor/],
  [{ traceExporter: "zipkin" }, /options\.traceExporter must be "otlp", "console", "none" or an exporter/],
];

for (const [name, init] of [["Workers", workersInit], ["browser", browserInit]] as const) {
  test(`${name} init() rejects a malformed option by name, before registering anything`, () => {
    const before = trace.getTracerProvider();
    for (const [options, message] of MALFORMED) {
      assert.throws(() => init({ env: {}, ...options } as never), (e: unknown) => e instanceof TypeError && message.test(e.message), JSON.stringify(options));
      assert.is(trace.getTracerProvider(), before, `nothing registered for ${JSON.stringify(options)}`);
    }
  });
}

test.run();
