// The measured program: scripts/size.mjs's "Prometheus only", on the lean core (bundled for node).
import { createServer } from "node:http";
import { MeterProvider } from "./meter-provider.ts";
import { metrics } from "./metrics-api.ts";
import { prometheusHandler, toNodeListener } from "./prometheus-http.ts";

const meterProvider = new MeterProvider();
metrics.setGlobalMeterProvider(meterProvider);
const meter = metrics.getMeter("checkout");
export const orders = meter.createCounter("orders.placed", { unit: "{order}" });
export const latency = meter.createHistogram("http.server.request.duration", { unit: "s" });

createServer(toNodeListener(prometheusHandler({ meterProvider }))).listen(9464);
