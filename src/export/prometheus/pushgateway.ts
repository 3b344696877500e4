/**
 * Pushes metrics to a Prometheus Pushgateway (https://github.com/prometheus/pushgateway,
 * README "API"): `PUT`/`POST` `/metrics/job/<job>{/<label>/<value>}` with a text 0.0.4
 * body, `DELETE` to remove the group. For batch jobs and short-lived functions that live
 * too briefly to be scraped.
 */
import { describe } from "../../common/describe.ts";
import { encodeBase64 } from "../otlp/base64.ts";
import { sanitizeLabelKey } from "./name-mapping.ts";
import { collectAll, resolveCollector, type MetricsSource } from "./source.ts";
import { renderPrometheusText, type PrometheusRenderOptions } from "./text-format.ts";
import { TEXT_CONTENT_TYPE } from "./negotiate.ts";
import { utf8 } from "./utf8.ts";

/** Options for {@link pushToGateway}. */
export interface PushgatewayOptions extends PrometheusRenderOptions {
  /** Base URL of the Pushgateway, e.g. `http://127.0.0.1:9091`. */
  readonly url: string;
  /** The `job` grouping label. */
  readonly job: string;
  /** More grouping labels (e.g. `{ instance: "worker-1" }`). */
  readonly groupingKey?: Readonly<Record<string, string>>;
  /** `PUT` (default) replaces the group; `POST` replaces only the pushed families; `DELETE` removes the group. */
  readonly method?: "PUT" | "POST" | "DELETE";
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Abort the request after this long (default 10,000 ms). */
  readonly timeoutMillis?: number;
}

/** What {@link pushToGateway} resolves to; it never rejects. */
export interface PushResult {
  readonly ok: boolean;
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  readonly error?: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// README "URL": a value containing `/` (or empty) goes as `<label>@base64/<base64url>`;
// an empty value is written `=` (one padding char, since the path segment cannot be empty).
function segment(label: string, value: string): string {
  if (value === "") return `${label}@base64/=`;
  if (value.includes("/")) {
    const b64 = encodeBase64(utf8.encode(value)).replace(/\+/g, "-").replace(/\//g, "_");
    return `${label}@base64/${b64}`;
  }
  return `${label}/${encodeURIComponent(value)}`;
}

/**
 * Builds the Pushgateway path for `job` and `groupingKey`. Throws TypeError for an empty
 * job or an invalid label name (callers catch it).
 */
export function pushgatewayPath(job: string, groupingKey: Readonly<Record<string, string>> = {}): string {
  if (typeof job !== "string" || job === "") throw new TypeError("pushToGateway: job must be a non-empty string");
  let path = "/metrics/" + segment("job", job);
  for (const label of Object.keys(groupingKey)) {
    if (!LABEL_NAME.test(label) || label.startsWith("__") || label === "job") {
      throw new TypeError(`pushToGateway: invalid grouping label name ${JSON.stringify(label)} (suggested: ${JSON.stringify(sanitizeLabelKey(label))})`);
    }
    path += "/" + segment(label, String(groupingKey[label]));
  }
  return path;
}

/**
 * Collects once and pushes the snapshot to the Pushgateway. Never throws: resolves
 * `{ ok, status, error? }`. Given a meter provider it shares the one cumulative reader the
 * `/metrics` handler would use.
 *
 * @example
 * ```ts
 * const result = await pushToGateway(sdk, { url: "http://127.0.0.1:9091", job: "nightly-import", groupingKey: { shard: "3" } });
 * if (!result.ok) console.error(result.error);
 * ```
 */
export async function pushToGateway(source: MetricsSource, options: PushgatewayOptions): Promise<PushResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const method = options.method ?? "PUT";
    if (method !== "PUT" && method !== "POST" && method !== "DELETE") return { ok: false, status: 0, error: `unsupported method ${JSON.stringify(method)}` };
    const base = new URL(options.url);
    const url = base.origin + base.pathname.replace(/\/+$/, "") + pushgatewayPath(options.job, options.groupingKey);
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (method !== "DELETE") {
      const { collections } = await collectAll(resolveCollector(source, "pushToGateway"));
      // The Pushgateway adds job/instance itself; target_info would be pushed as a regular
      // metric per group, which is what other clients do too, so keep it unless disabled.
      body = renderPrometheusText(collections, options);
      headers["Content-Type"] = TEXT_CONTENT_TYPE;
    }
    const doFetch = options.fetch ?? globalThis.fetch;
    const controller = new AbortController();
    timer = setTimeout(() => controller.abort(), options.timeoutMillis ?? 10_000);
    const init: RequestInit = { method, headers, signal: controller.signal };
    if (body !== undefined) init.body = body;
    const response = await doFetch(url, init);
    const text = await response.text().catch(() => "");
    if (response.ok) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `Pushgateway answered ${response.status}${text ? ": " + text.slice(0, 500).trim() : ""}` };
  } catch (error) {
    const message = error instanceof Error ? (error.name === "AbortError" ? "timed out" : error.message) : describe(error);
    return { ok: false, status: 0, error: message };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
