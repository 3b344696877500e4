// Checks, on the Node side, what one run of scenario.mjs delivered to the OTLP receiver and to
// the backend: the parent/child tree, the resource, attributes, metric values and log
// correlation. Throws an Error naming the first thing that is wrong.
import { INCOMING_SPAN_ID, INCOMING_TRACE_ID } from "./scenario.mjs";

function attrs(list = []) {
  const out = {};
  for (const { key, value } of list) out[key] = value.stringValue ?? value.boolValue ?? value.intValue ?? value.doubleValue ?? value;
  return out;
}

function check(ok, message) {
  if (!ok) throw new Error(`scenario: ${message}`);
}

/**
 * @param {{ traces: any[], metrics: any[], logs: any[] }} receiver
 * @param {{ runtime: string, backendTraceparents: string[], sdkLanguage?: string }} expected
 */
export function assertScenario(receiver, { runtime, backendTraceparents, sdkLanguage }) {
  const resourceSpans = receiver.traces.flatMap((t) => t.resourceSpans ?? []);
  const spans = resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, resource: attrs(rs.resource?.attributes), scope: ss.scope }))));
  const server = spans.find((s) => s.name === "GET /work");
  check(server, `no server span among ${spans.map((s) => s.name).join(", ") || "nothing"}`);
  check(server.kind === 2, `server span kind ${server.kind}, expected 2 (SERVER)`);
  check(server.traceId === INCOMING_TRACE_ID, "server span did not continue the incoming trace");
  check(server.parentSpanId === INCOMING_SPAN_ID, "server span's parent is not the incoming span");
  check(server.resource["service.name"] === `scenario-${runtime}`, `service.name ${server.resource["service.name"]}`);
  check(server.resource["telemetry.sdk.name"] === "otel-edge", "telemetry.sdk.name");
  if (sdkLanguage) check(server.resource["telemetry.sdk.language"] === sdkLanguage, `telemetry.sdk.language ${server.resource["telemetry.sdk.language"]}`);
  check(server.scope?.name === "scenario", "scope name");
  const serverAttrs = attrs(server.attributes);
  check(serverAttrs["scenario.runtime"] === runtime, "server span runtime attribute");
  check(String(serverAttrs["http.response.status_code"]) === "200", "server span status code attribute");

  const db = spans.find((s) => s.name === "db.query");
  check(db && db.parentSpanId === server.spanId && db.traceId === server.traceId, "db.query is not a child of the server span");
  const client = spans.find((s) => s.name === "GET" && s.kind === 3);
  check(client && client.parentSpanId === server.spanId && client.traceId === server.traceId, "the CLIENT span is not a child of the server span");
  check(String(attrs(client.attributes)["http.response.status_code"]) === "200", "client span status code");
  const expectedHeader = `00-${server.traceId}-${client.spanId}-`;
  check(
    backendTraceparents.some((h) => typeof h === "string" && h.startsWith(expectedHeader)),
    `backend did not receive traceparent ${expectedHeader}.. (got ${backendTraceparents.join(", ") || "none"})`,
  );

  const allMetrics = receiver.metrics.flatMap((m) => m.resourceMetrics ?? []).flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
  const counter = allMetrics.find((m) => m.name === "scenario.requests");
  check(counter?.sum?.isMonotonic === true, "counter scenario.requests missing or not monotonic");
  const point = counter.sum.dataPoints[0];
  check(Number(point.asInt ?? point.asDouble) === 1, "counter value is not 1");
  check(attrs(point.attributes)["scenario.runtime"] === runtime, "counter attribute");
  const histogram = allMetrics.find((m) => m.name === "scenario.duration");
  check(histogram?.histogram?.dataPoints?.[0]?.count === "1", "histogram scenario.duration count is not 1");

  const records = receiver.logs.flatMap((l) => l.resourceLogs ?? []).flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords));
  const loaded = records.find((r) => r.body?.stringValue === "loaded the work item");
  const answered = records.find((r) => r.body?.stringValue === "backend answered");
  check(loaded && answered, `log records missing (got ${records.map((r) => r.body?.stringValue).join(", ") || "none"})`);
  for (const r of [loaded, answered]) {
    check(r.traceId === server.traceId && r.spanId === server.spanId, `log "${r.body.stringValue}" is not correlated with the server span`);
  }
  check(answered.severityNumber === 13, "warn severity");
  return { server, client, db };
}
