/**
 * Web vitals as histograms, for a program that asks for them: `initRum({ webVitals: { histograms:
 * webVitalHistograms } })`. By default RUM reports each final vital as a `browser.web_vital`
 * event (a log record) and a `web_vital` event of the page view, and bundles no metrics code;
 * importing this value brings the histogram code in (the meter comes from the SDK's metrics, or
 * from the registered meter provider).
 *
 * One histogram per vital, `web_vitals.<name>` (`ttfb`, `fcp`, `lcp`, `cls`, `inp`), in
 * milliseconds as web.dev and web-vitals define them (CLS: unitless, unit `1`), with a
 * `web_vitals.rating` attribute. The bucket boundaries include both thresholds of each vital
 * (https://web.dev/articles/vitals), so the share of good values is exact from the histogram.
 */
import type { Histogram } from "../../metrics/instruments.ts";
import type { Meter } from "../../metrics/meter.ts";
import type { WebVitalName, WebVitalReport } from "./web-vitals.ts";

/** Records final web vitals on `meter`: a value such as {@link webVitalHistograms}, passed to `initRum`. */
export type WebVitalRecorder = (meter: Meter) => (report: WebVitalReport) => void;

const MS_BUCKETS = [100, 200, 300, 500, 800, 1000, 1500, 1800, 2000, 2500, 3000, 4000, 5000, 7500, 10000, 20000];
const CLS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1];

/**
 * The `web_vitals.*` histograms (see the module doc). Each histogram is created on the first
 * value of its vital.
 *
 * @example
 * ```ts
 * import { initRum, webVitalHistograms } from "otel-edge/browser";
 * initRum({ serviceName: "shop-web", webVitals: { histograms: webVitalHistograms } }); // with the SDK's metrics
 * ```
 */
export const webVitalHistograms: WebVitalRecorder = (meter) => {
  const histograms = new Map<WebVitalName, Histogram>();
  return ({ name, value, rating }) => {
    let h = histograms.get(name);
    if (!h) {
      const cls = name === "CLS";
      h = meter.createHistogram(`web_vitals.${name.toLowerCase()}`, {
        description: `Web vital ${name} of the page view.`,
        unit: cls ? "1" : "ms",
        advice: { explicitBucketBoundaries: cls ? CLS_BUCKETS : MS_BUCKETS },
      });
      histograms.set(name, h);
    }
    h.record(value, { "web_vitals.rating": rating });
  };
};
