// With the global fetch instrumented and a real SDK exporting OTLP to the dev receiver on
// 127.0.0.1, the exporter's own requests are not traced (it runs them with tracing
// suppressed): what arrives is the application's spans only, across several flushes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import "./helpers.ts"; // AsyncLocalStorage context manager
import { init } from "../../mod.ts";
import { installFetchInstrumentation } from "../../src/instrument/fetch.ts";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { startServer } from "./helpers.ts";

test("exporter requests to the OTLP endpoint produce no spans and carry no traceparent", async () => {
  const receiver = await startDevReceiver();
  const app = await startServer();
  const uninstall = installFetchInstrumentation();
  const sdk = init({ serviceName: "fetch-suppression", otlp: { endpoint: receiver.url }, metricExporter: "none", logExporter: "none" });
  try {
    await (await fetch(`${app.url}/work`)).text();
    await sdk.flush(); // export #1: the app span
    await (await fetch(`${app.url}/more`)).text();
    await sdk.flush(); // export #2: had export #1 been traced, its span would arrive here
    await sdk.flush();
  } finally {
    await sdk.shutdown();
    uninstall();
    await app.close();
    await receiver.close();
  }
  const spans = receiver.traces.flatMap((r: any) => r.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
  const urls = spans.map((s: any) => s.attributes.find((a: any) => a.key === "url.full")?.value.stringValue);
  assert.equal(urls.sort(), [`${app.url}/more`, `${app.url}/work`]);
  assert.ok(receiver.requests.length >= 2);
  for (const r of receiver.requests) assert.is(r.headers.traceparent, undefined);
  assert.ok(app.seen.every((s) => typeof s.headers.traceparent === "string"), "the app's own requests were propagated");
});

test.run();
