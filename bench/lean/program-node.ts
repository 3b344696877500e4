// The measured program: scripts/size.mjs's "Node quick start", on the lean core.
import { init, trace, metrics, createLog, SpanStatusCode } from "./node.ts";

const sdk = init({ serviceName: "checkout", serviceVersion: "1.4.0" });
const tracer = trace.getTracer("checkout");
const orders = metrics.getMeter("checkout").createCounter("orders.placed", { unit: "{order}" });
const log = createLog({ name: "checkout" });

export async function handle(orderId: string) {
  return tracer.startActiveSpan("process order", { attributes: { "order.id": orderId } }, async (span) => {
    try { orders.add(1, { "payment.method": "card" }); log.info("order placed", { "order.id": orderId }); }
    catch (err) { span.recordException(err as Error); span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message }); log.error("payment failed", err); throw err; }
    finally { span.end(); }
  });
}
process.on("SIGTERM", () => sdk.shutdown());
