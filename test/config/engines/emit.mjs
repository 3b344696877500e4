// Run inside Bun and Deno by test/config/engines.test.ts: the entry's init() with no options
// reads OTEL_CONFIG_FILE from the engine's environment; one span is exported, then the SDK
// shuts down. `otel` is the `otel-edge` module as the engine resolved it.
export async function run(otel) {
  const sdk = otel.init();
  otel.trace.getTracer("engine").startSpan("configured").end();
  await sdk.shutdown();
  console.log(JSON.stringify({ service: sdk.resource.attributes["service.name"] }));
}
