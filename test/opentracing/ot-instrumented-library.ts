// A library instrumented with the OpenTracing API only, the way such code is written: it
// imports `opentracing` (0.14.7, a devDependency) and nothing of ours, gets its tracer from
// `opentracing.globalTracer()` and uses `Tags`, `childOf`/`followsFrom` and the carrier
// formats of that package. The suites run it on our bridge, unchanged.
import * as opentracing from "opentracing";

const { Tags, FORMAT_HTTP_HEADERS } = opentracing;

/**
 * Serves one request: continues the caller's trace from `headers`, queries a database (a
 * child span), writes a cache entry afterwards (follows from the query), calls another
 * service (a child span whose context is injected into the returned headers) and then runs
 * `work` with the server span. A thrown error is tagged and logged the OpenTracing way.
 */
export async function handleRequest(
  headers: Record<string, string>,
  work: (span: opentracing.Span) => Promise<void> | void = () => {},
): Promise<Record<string, string>> {
  const tracer = opentracing.globalTracer();
  const caller = tracer.extract(FORMAT_HTTP_HEADERS, headers);
  const span = tracer.startSpan("GET /orders", {
    childOf: caller ?? undefined,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.HTTP_METHOD]: "GET", [Tags.COMPONENT]: "orders-lib" },
  });
  try {
    span.log({ event: "tenant.resolved", tenant: span.getBaggageItem("tenant") ?? "none" });

    const query = tracer.startSpan("SELECT orders", { childOf: span, tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT, [Tags.DB_TYPE]: "sql" } });
    query.finish();
    const cacheWrite = tracer.startSpan("cache write", { references: [opentracing.followsFrom(query.context())] });
    cacheWrite.finish();

    const call = tracer.startSpan("GET /inventory", { references: [opentracing.childOf(span)], tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT } });
    const outgoing: Record<string, string> = {};
    tracer.inject(call.context(), FORMAT_HTTP_HEADERS, outgoing);
    call.finish();

    await work(span);
    span.setTag(Tags.HTTP_STATUS_CODE, 200);
    return outgoing;
  } catch (err) {
    span.setTag(Tags.ERROR, true);
    span.setTag(Tags.HTTP_STATUS_CODE, 500);
    span.log({ event: "error", "error.object": err, message: (err as Error).message });
    throw err;
  } finally {
    span.finish();
  }
}
