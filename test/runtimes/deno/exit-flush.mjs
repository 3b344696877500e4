// A Deno program that records telemetry and never flushes or shuts down: what it recorded
// must still arrive, exported by the Deno entry's `beforeunload` flush when the event loop
// runs out of work. Deno.args: [receiverUrl].
export function main(otel) {
  const [endpoint] = Deno.args;
  otel.init({ serviceName: "deno-exit-flush", otlp: { endpoint }, metricExportIntervalMillis: 60000 });
  const span = otel.trace.getTracer("exit").startSpan("recorded before exit");
  otel.createLog({ name: "exit" }).info("logged before exit");
  span.end();
  console.log("recorded");
}
