import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, DiagLogLevel } from "../../src/common/diag.ts";
import { buildResource } from "../../src/resource/detect.ts";
import * as semconv from "../../src/resource/semantic.ts";

const warnings: string[] = [];
diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);

const SDK = { sdkVersion: "1.2.3" };
const name = (o: Parameters<typeof buildResource>[0]) => buildResource(o).attributes["service.name"];

test("telemetry.sdk.* attributes", () => {
  const r = buildResource({ ...SDK, serviceName: "svc" });
  assert.is(r.attributes["telemetry.sdk.name"], "otel-edge");
  assert.is(r.attributes["telemetry.sdk.language"], "webjs");
  assert.is(r.attributes["telemetry.sdk.version"], "1.2.3");
  assert.is(buildResource({ ...SDK, serviceName: "svc", sdkLanguage: "nodejs" }).attributes["telemetry.sdk.language"], "nodejs");
  assert.ok(Object.isFrozen(r.attributes));
});

test("service.name precedence table", () => {
  const env = { OTEL_SERVICE_NAME: "from-env-var", OTEL_RESOURCE_ATTRIBUTES: "service.name=from-attrs-env" };
  const rows: Array<[Parameters<typeof buildResource>[0], string]> = [
    [{ ...SDK, serviceName: "opt", attributes: { "service.name": "opt-attr" }, env }, "opt"],
    [{ ...SDK, attributes: { "service.name": "opt-attr" }, env }, "opt-attr"],
    [{ ...SDK, env }, "from-env-var"],
    [{ ...SDK, env: { OTEL_RESOURCE_ATTRIBUTES: "service.name=from-attrs-env" } }, "from-attrs-env"],
    [{ ...SDK, env: { OTEL_SERVICE_NAME: "", OTEL_RESOURCE_ATTRIBUTES: "service.name=from-attrs-env" } }, "from-attrs-env"], // empty = unset
    [{ ...SDK, env: {} }, "unknown_service"],
    [{ ...SDK }, "unknown_service"],
  ];
  for (const [opts, expected] of rows) assert.is(name(opts), expected, JSON.stringify(opts));
});

test("a missing service.name warns and falls back to unknown_service", () => {
  warnings.length = 0;
  assert.is(name({ ...SDK }), "unknown_service");
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /No service\.name configured: using "unknown_service"/);
  warnings.length = 0;
  name({ ...SDK, serviceName: "ok" });
  assert.equal(warnings, []);
});

test("a malformed service.name is ignored with a warning; the next source applies", () => {
  warnings.length = 0;
  assert.is(name({ ...SDK, serviceName: "", env: { OTEL_SERVICE_NAME: "env" } }), "env");
  assert.match(warnings[0]!, /Ignoring service\.name from options: expected a non-empty string, got ""/);
  warnings.length = 0;
  assert.is(name({ ...SDK, attributes: { "service.name": 42 } }), "unknown_service");
  assert.match(warnings[0]!, /expected a non-empty string, got 42/);
  assert.match(warnings[1]!, /No service\.name configured/);
  warnings.length = 0;
  assert.is(name({ ...SDK, env: { OTEL_RESOURCE_ATTRIBUTES: "service.name=" } }), "unknown_service");
  assert.match(warnings[0]!, /Ignoring service\.name from OTEL_RESOURCE_ATTRIBUTES/);
});

test("OTEL_RESOURCE_ATTRIBUTES: percent-decoded and trimmed; a raw = after the first stays in the value", () => {
  warnings.length = 0;
  const r = buildResource({
    ...SDK,
    serviceName: "svc",
    env: { OTEL_RESOURCE_ATTRIBUTES: " team = pay%20ments , url=https%3A%2F%2Fexample.com%2Fa%3Db%2Cc ,emoji=%F0%9F%9A%80,, k8s.pod.name=web-1 , q=a=b" },
  });
  assert.is(r.attributes.team, "pay ments");
  assert.is(r.attributes.url, "https://example.com/a=b,c");
  assert.is(r.attributes.emoji, "🚀");
  assert.is(r.attributes["k8s.pod.name"], "web-1");
  assert.is(r.attributes.q, "a=b");
  assert.equal(warnings, []);
});

test("OTEL_RESOURCE_ATTRIBUTES: one malformed entry discards the whole value, with one error (Resource SDK spec)", () => {
  for (const bad of ["team=pay,broken", "team=pay,=v", "team=pay,k=%zz", "team=pay,k=%E2%82", "service.name=x,%=1"]) {
    warnings.length = 0;
    const r = buildResource({ ...SDK, env: { OTEL_RESOURCE_ATTRIBUTES: bad, OTEL_SERVICE_NAME: "from-env" } });
    assert.not.ok("team" in r.attributes, bad);
    // OTEL_SERVICE_NAME is a variable of its own: it still applies.
    assert.is(r.attributes["service.name"], "from-env", bad);
    assert.is(warnings.filter((w) => w.includes("OTEL_RESOURCE_ATTRIBUTES")).length, 1, bad);
    assert.match(warnings[0]!, /Ignoring all of OTEL_RESOURCE_ATTRIBUTES: 1 malformed entry/);
    assert.not.match(warnings[0]!, /pay/, "values are not echoed");
  }
});

test("explicit options win over the environment, attribute by attribute", () => {
  const r = buildResource({
    ...SDK,
    serviceName: "svc",
    serviceVersion: "2.0.0",
    deploymentEnvironment: "production",
    attributes: { region: "eu", "deployment.environment.name": "ignored-by-option" },
    env: { OTEL_RESOURCE_ATTRIBUTES: "region=us,service.version=1.0.0,deployment.environment.name=staging,zone=a" },
  });
  assert.is(r.attributes["service.version"], "2.0.0");
  assert.is(r.attributes["deployment.environment.name"], "production");
  assert.is(r.attributes.region, "eu");
  assert.is(r.attributes.zone, "a"); // env-only attributes survive
  const envOnly = buildResource({ ...SDK, serviceName: "svc", env: { OTEL_RESOURCE_ATTRIBUTES: "service.version=1.0.0,deployment.environment.name=staging" } });
  assert.is(envOnly.attributes["service.version"], "1.0.0");
  assert.is(envOnly.attributes["deployment.environment.name"], "staging");
});

test("schemaUrl option is carried through", () => {
  assert.is(buildResource({ ...SDK, serviceName: "s", schemaUrl: "https://opentelemetry.io/schemas/1.26.0" }).schemaUrl, "https://opentelemetry.io/schemas/1.26.0");
  assert.is(buildResource({ ...SDK, serviceName: "s" }).schemaUrl, undefined);
});

test("hostile attribute objects never throw", () => {
  const attrs = Object.defineProperty({ ok: "1" }, "bad", { enumerable: true, get() { throw new Error("boom"); } });
  const r = buildResource({ ...SDK, serviceName: "s", attributes: attrs as never });
  assert.is(r.attributes.ok, "1");
  assert.not.ok("bad" in r.attributes);
});

test("semantic constants carry the semantic-conventions names", () => {
  assert.is(semconv.ATTR_SERVICE_NAME, "service.name");
  assert.is(semconv.ATTR_SERVICE_VERSION, "service.version");
  assert.is(semconv.ATTR_DEPLOYMENT_ENVIRONMENT_NAME, "deployment.environment.name");
  assert.is(semconv.ATTR_TELEMETRY_SDK_NAME, "telemetry.sdk.name");
  assert.is(semconv.ATTR_TELEMETRY_SDK_LANGUAGE, "telemetry.sdk.language");
  assert.is(semconv.ATTR_TELEMETRY_SDK_VERSION, "telemetry.sdk.version");
});

test.run();
