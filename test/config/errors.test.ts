// Every way a configuration is refused: init() throws a TypeError (RangeError for a number out
// of range) naming the file, the line, the property's path and what was expected — before
// anything is registered — and development properties are ignored with one warning each.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configFile, init as nodeInit, trace, propagation, metrics, logs, context } from "../../src/runtime/node.ts";

// Every init() here may read a configuration file: the program passes the reader part.
const init = (options: Parameters<typeof nodeInit>[0] = {}): ReturnType<typeof nodeInit> => nodeInit({ ...options, parts: [configFile(), ...(options.parts ?? [])] });
import { captureDiag } from "../helpers/capture-diag.ts";

const HEAD = 'file_format: "1.0"\n';
const EXPORTER = "        exporter:\n          console:\n";

/** [name, document, line, path, part of the message, RangeError?] */
const CASES: Array<[string, string, number, string, string, boolean?]> = [
  ["unknown top-level property", HEAD + "tracer_providr:\n  processors: []\n", 2, "tracer_providr", "unknown property; expected properties among file_format, disabled"],
  ["unknown nested property", HEAD + "tracer_provider:\n  processors:\n    - batch:\n        scheduled_delay: 5\n" + EXPORTER, 5, "tracer_provider.processors[0].batch.scheduled_delay", "unknown property"],
  ["unknown exporter", HEAD + "tracer_provider:\n  processors:\n    - batch:\n        exporter:\n          zipkin:\n", 6, "tracer_provider.processors[0].batch.exporter.zipkin", "expected one of otlp_http, otlp_grpc, console"],
  ["two exporters in one", HEAD + "tracer_provider:\n  processors:\n    - simple:\n        exporter:\n          console:\n          otlp_http:\n", 5, "tracer_provider.processors[0].simple.exporter", "expected exactly one of otlp_http, otlp_grpc, console, got console, otlp_http"],
  ["no processor kind", HEAD + "tracer_provider:\n  processors:\n    - {}\n", 4, "tracer_provider.processors[0]", "expected exactly one of batch, simple, got none"],
  ["wrong type: string for integer", HEAD + "tracer_provider:\n  processors:\n    - batch:\n        max_queue_size: lots\n" + EXPORTER, 5, "tracer_provider.processors[0].batch.max_queue_size", 'expected an integer > 0, got "lots"'],
  ["wrong type: float for integer", HEAD + "tracer_provider:\n  processors:\n    - batch:\n        schedule_delay: 1.5\n" + EXPORTER, 5, "tracer_provider.processors[0].batch.schedule_delay", "expected an integer >= 0, got 1.5"],
  ["a quoted number is a string", HEAD + 'disabled: "true"\n', 2, "disabled", 'expected a boolean, got "true"'],
  ["out of range", HEAD + "tracer_provider:\n  processors:\n    - batch:\n        max_export_batch_size: 0\n" + EXPORTER, 5, "tracer_provider.processors[0].batch.max_export_batch_size", "expected an integer > 0, got 0", true],
  ["ratio out of range", HEAD + "tracer_provider:\n  processors:\n    - simple:\n" + EXPORTER + "  sampler:\n    trace_id_ratio_based:\n      ratio: 1.5\n", 9, "tracer_provider.sampler.trace_id_ratio_based.ratio", "expected a number >= 0 and <= 1, got 1.5", true],
  ["enum", HEAD + "meter_provider:\n  readers:\n    - periodic:\n        exporter:\n          console:\n  exemplar_filter: sometimes\n", 7, "meter_provider.exemplar_filter", "expected one of always_on, always_off, trace_based"],
  ["required missing", HEAD + "tracer_provider:\n  sampler:\n    always_on:\n", 2, "tracer_provider.processors", "required (a sequence of at least one item)"],
  ["required null", HEAD + "tracer_provider:\n  processors:\n    - batch:\n        exporter:\n", 5, "tracer_provider.processors[0].batch.exporter", "expected a mapping with one of otlp_http, otlp_grpc, console, got null"],
  ["empty list", HEAD + "logger_provider:\n  processors: []\n", 3, "logger_provider.processors", "expected a sequence of at least one item"],
  ["mapping expected", HEAD + "resource: service.name=x\n", 2, "resource", 'expected a mapping, got "service.name=x"'],
  ["file_format missing", "disabled: true\n", 0, "file_format", "required"],
  ["file_format version", 'file_format: "0.3"\n', 1, "file_format", 'expected "1.0" (or another 1.x), got "0.3"'],
  ["file_format number", "file_format: 1.0\n", 1, "file_format", "expected a string, got 1"],
  ["not a mapping", "- a\n- b\n", 0, "the document", "expected a mapping with file_format"],
  ["attribute type mismatch", HEAD + "resource:\n  attributes:\n    - name: n\n      value: abc\n      type: int\n", 5, "resource.attributes[0].value", 'expected a value of type int, got "abc"'],
  ["otlp_grpc", HEAD + "tracer_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_grpc:\n            endpoint: http://c:4317\n", 6, "tracer_provider.processors[0].batch.exporter.otlp_grpc", "not supported: otel-edge exports OTLP over HTTP: use otlp_http"],
  ["tls", HEAD + "logger_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_http:\n            tls:\n              ca_file: /ca.pem\n", 7, "logger_provider.processors[0].batch.exporter.otlp_http.tls", "not supported"],
  ["compression", HEAD + "logger_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_http:\n            compression: zstd\n", 7, "logger_provider.processors[0].batch.exporter.otlp_http.compression", 'expected gzip or none, got "zstd"'],
  ["endpoint not a URL", HEAD + "tracer_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_http:\n            endpoint: localhost:4318\n", 6, "tracer_provider.processors[0].batch.exporter.otlp_http", "url"],
  ["ottrace", HEAD + "propagator:\n  composite:\n    - ottrace:\n", 4, "propagator.composite[0]", 'no "ottrace" propagator'],
  ["unknown in composite_list", HEAD + "propagator:\n  composite_list: tracecontext,xray\n", 3, "propagator.composite_list", 'no "xray" propagator'],
  ["producers", HEAD + "meter_provider:\n  readers:\n    - periodic:\n        exporter:\n          console:\n        producers:\n          - opencensus:\n", 7, "meter_provider.readers[0].periodic.producers", "no metric producers"],
  ["per-type cardinality", HEAD + "meter_provider:\n  readers:\n    - periodic:\n        exporter:\n          console:\n        cardinality_limits:\n          counter: 10\n", 8, "meter_provider.readers[0].periodic.cardinality_limits.counter", "one cardinality limit for every instrument type"],
  ["two reader cardinalities", HEAD + "meter_provider:\n  readers:\n    - periodic:\n        exporter: {console: }\n        cardinality_limits: {default: 10}\n    - periodic:\n        exporter: {console: }\n        cardinality_limits: {default: 20}\n", 9, "meter_provider.readers[1].periodic.cardinality_limits.default", "one cardinality limit to every reader"],
  ["interval 0", HEAD + "meter_provider:\n  readers:\n    - periodic:\n        interval: 0\n        exporter: {console: }\n", 5, "meter_provider.readers[0].periodic.interval", "expected an integer > 0", true],
  ["exponential by default", HEAD + "meter_provider:\n  readers:\n    - periodic:\n        exporter:\n          otlp_http:\n            default_histogram_aggregation: base2_exponential_bucket_histogram\n", 7, "default_histogram_aggregation", "choose base2_exponential_bucket_histogram in a view"],
  ["view by unit", HEAD + "meter_provider:\n  readers:\n    - periodic:\n        exporter: {console: }\n  views:\n    - selector: {unit: ms}\n      stream: {name: x}\n", 7, "meter_provider.views[0].selector.unit", "views select by name, type and meter"],
  ["view excluded keys", HEAD + "meter_provider:\n  readers:\n    - periodic:\n        exporter: {console: }\n  views:\n    - selector: {instrument_name: a}\n      stream:\n        attribute_keys:\n          excluded: [b]\n", 10, "meter_provider.views[0].stream.attribute_keys.excluded", "list the keys to keep in included"],
  ["invalid view", HEAD + "meter_provider:\n  readers:\n    - periodic:\n        exporter: {console: }\n  views:\n    - selector: {}\n      stream: {name: x}\n", 7, "meter_provider.views[0]", "give at least one selection criterion"],
];

for (const [name, document, line, path, part, range] of CASES) {
  test(`refused: ${name}`, () => {
    const before = trace.getTracerProvider();
    try {
      init({ env: {}, config: document });
    } catch (e) {
      assert.instance(e, range ? RangeError : TypeError);
      const message = (e as Error).message;
      const where = line ? `options.config:${line}: ` : "options.config: ";
      assert.ok(message.startsWith(`Cannot init: ${where}`), message);
      assert.ok(message.includes(path), `${message} names ${path}`);
      assert.ok(message.includes(part), message);
      // Nothing registered: the global provider is the one from before.
      assert.is(trace.getTracerProvider(), before);
      return;
    }
    assert.unreachable("no error");
  });
}

test("without the configFile() part, a configuration file is refused with the import to add, and nothing is registered", () => {
  const before = trace.getTracerProvider();
  for (const [options, given] of [
    [{ env: { OTEL_CONFIG_FILE: "/etc/otel.yaml", OTEL_SERVICE_NAME: "svc" } }, "OTEL_CONFIG_FILE=/etc/otel.yaml"],
    [{ env: {}, config: HEAD }, "options.config"],
  ] as const) {
    assert.throws(
      () => nodeInit(options),
      (e: Error) => e instanceof TypeError && e.message === `Cannot init: ${given} is a configuration file, which this program does not import the reader of: import { configFile } from "otel-edge" and pass parts: [configFile()].`,
    );
    assert.is(trace.getTracerProvider(), before);
  }
});

test("an error in the file names the file given by OTEL_CONFIG_FILE", () => {
  const dir = mkdtempSync(join(tmpdir(), "otel-config-"));
  const file = join(dir, "otel.yaml");
  writeFileSync(file, HEAD + "tracer_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_http:\n            timeout: -1\n");
  assert.throws(() => init({ env: { OTEL_CONFIG_FILE: file } }), (e: Error) => e instanceof RangeError && e.message.startsWith(`Cannot init: ${file}:7: tracer_provider.processors[0].batch.exporter.otlp_http.timeout: expected an integer >= 0, got -1`));
  assert.throws(() => init({ env: { OTEL_CONFIG_FILE: join(dir, "missing.yaml") } }), (e: Error) => e instanceof TypeError && e.message.includes(`OTEL_CONFIG_FILE=${join(dir, "missing.yaml")} cannot be read`) && e.message.includes("ENOENT"));
});

test("a parsed object is checked the same way, without line numbers", () => {
  assert.throws(() => init({ env: {}, config: { file_format: "1.0", tracer_provider: { processors: [{ batch: { exporter: { console: null }, max_queue_size: "9" } }] } } }), /^Cannot init: options\.config: tracer_provider\.processors\[0\]\.batch\.max_queue_size: expected an integer > 0, got "9"\.$/);
});

test("options the file configures cannot be given beside it", () => {
  assert.throws(() => init({ env: {}, config: HEAD, serviceName: "x" }), /options\.serviceName cannot be combined with a configuration file \(options\.config\): set it in the file/);
  assert.throws(() => init({ env: { OTEL_CONFIG_FILE: "/nowhere.yaml" }, traceExporter: "none" }), /options\.traceExporter cannot be combined with a configuration file \(OTEL_CONFIG_FILE=\/nowhere\.yaml\)/);
});

test("development properties are ignored with one warning each; a document without providers builds no-op ones", async () => {
  const messages = captureDiag();
  const config = `${HEAD}instrumentation/development:\n  js: {}\nresource:\n  detection/development: {}\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_file/development:\n  tracer_configurator/development: {}\nmeter_provider:\n  readers:\n    - pull/development: {}\n`;
  const sdk = init({ env: {}, config });
  const again = init({ env: {}, config });
  const development = messages.filter((m) => m.includes("development property"));
  assert.equal(development.length, 5, development.join("\n"));
  for (const key of ["instrumentation/development", "resource.detection/development", "otlp_file/development", "tracer_configurator/development", "readers[0].pull/development"]) {
    assert.ok(development.some((m) => m.includes(key)), key);
  }
  // The only processor's exporter was a development one: nothing is exported, nothing fails.
  trace.getTracer("t").startSpan("s").end();
  assert.equal(sdk.stats().traces.exported, 0);
  // Omitted propagator: a no-op one (spec). Omitted meter and logger providers export nothing.
  const carrier: Record<string, string> = {};
  trace.getTracer("t").startActiveSpan("p", (span) => {
    propagation.inject(context.active(), carrier);
    span.end();
  });
  assert.equal(carrier, {});
  metrics.getMeter("m").createCounter("c").add(1);
  logs.getLogger("l").emit({ body: "b" });
  await sdk.shutdown();
  await again.shutdown();
});

test("a later 1.x file format is read: what 1.0 does not know is ignored with a warning, not refused", async () => {
  const messages = captureDiag();
  const config = 'file_format: "1.1"\nresource:\n  detection:\n    detectors:\n      - service:\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_file:\n';
  const sdk = init({ env: {}, config });
  assert.ok(messages.some((m) => m.includes("resource.detection is not in file format 1.0")), messages.join("\n"));
  assert.ok(messages.some((m) => m.includes("tracer_provider.processors[0].batch.exporter.otlp_file is not in file format 1.0")));
  await sdk.shutdown();
  // A 1.0 file with the same property is refused.
  assert.throws(() => init({ env: {}, config: config.replace("1.1", "1.0") }), /options\.config:3: resource\.detection: unknown property/);
});

test("a file's settings win over OTEL_* variables, which are read only in substitutions", async () => {
  const sdk = init({ env: { OTEL_SERVICE_NAME: "from-env", OTEL_SDK_DISABLED: "true", NAME: "from-substitution" }, config: `${HEAD}resource:\n  attributes:\n    - name: team\n      value: \${NAME}\n` });
  assert.is(sdk.disabled, false);
  assert.is(sdk.resource.attributes["service.name"], "unknown_service:node");
  assert.is(sdk.resource.attributes["team"], "from-substitution");
  await sdk.shutdown();
  const off = init({ env: {}, config: `${HEAD}disabled: true\n` });
  assert.is(off.disabled, true);
});

test.run();
