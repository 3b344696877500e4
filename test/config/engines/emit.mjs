// Run inside Bun and Deno by test/config/engines.test.ts: the entry's init() with the
// configFile() part reads OTEL_CONFIG_FILE from the engine's environment; one span is
// exported, then the SDK shuts down. `otel` is the `otel-edge` module as the engine resolved it.
export async function run(otel) {
  const sdk = otel.init({ parts: [otel.configFile()] });
  otel.trace.getTracer("engine").startSpan("configured").end();
  await sdk.shutdown();
  console.log(JSON.stringify({ service: sdk.resource.attributes["service.name"] }));
}
