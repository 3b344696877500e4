/**
 * Prometheus exposition for otel-edge: text format 0.0.4 and OpenMetrics 1.0 rendering, a
 * fetch-style `/metrics` handler, a node:http adapter and a Pushgateway client.
 *
 * @example
 * ```ts
 * import { prometheusHandler, toNodeListener } from "otel-edge/prometheus";
 * createServer(toNodeListener(prometheusHandler(sdk))).listen(9464, "127.0.0.1");
 * ```
 * @module
 */
export { renderPrometheusText, renderOpenMetrics, renderStream, renderIncrementally, formatValue, exponentialToExplicit, type PrometheusRenderOptions } from "./text-format.ts";
export { mapMetricName, sanitizeMetricName, sanitizeLabelKey, unitToSuffix, escapeLabelValue, escapeHelp, renderLabelPairs, type PrometheusNames } from "./name-mapping.ts";
export { prometheusHandler, type PrometheusHandlerOptions, type PrometheusAuth } from "./handler.ts";
export { prefersOpenMetrics, acceptsGzip, TEXT_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE } from "./negotiate.ts";
export { toNodeListener, type NodeRequestLike, type NodeResponseLike } from "./node-listener.ts";
export { pushToGateway, pushgatewayPath, type PushgatewayOptions, type PushResult } from "./pushgateway.ts";
export type { MetricsSource, MetricCollector, MetricReaderHost } from "./source.ts";
