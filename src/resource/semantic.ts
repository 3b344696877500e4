/**
 * The semantic-convention attribute names otel-edge sets itself, under the names
 * `@opentelemetry/semantic-conventions` exports them (`ATTR_*`). Only what we use.
 * Source: https://opentelemetry.io/docs/specs/semconv/resource/ and the attribute registry.
 */

/** Logical name of the service (stable). Required on every resource. */
export const ATTR_SERVICE_NAME = "service.name";
/** Version string of the service (stable). */
export const ATTR_SERVICE_VERSION = "service.version";
/**
 * Deployment environment, e.g. `production`, `staging` (semconv ≥ 1.27; replaces the
 * deprecated `deployment.environment`).
 */
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = "deployment.environment.name";
/** Name of the telemetry SDK (stable). */
export const ATTR_TELEMETRY_SDK_NAME = "telemetry.sdk.name";
/** Language of the telemetry SDK (stable); see the `TELEMETRY_SDK_LANGUAGE_VALUE_*` values. */
export const ATTR_TELEMETRY_SDK_LANGUAGE = "telemetry.sdk.language";
/** Version of the telemetry SDK (stable). */
export const ATTR_TELEMETRY_SDK_VERSION = "telemetry.sdk.version";

/** `telemetry.sdk.language` for JavaScript in web-standard runtimes (browsers, Workers, Deno). */
export const TELEMETRY_SDK_LANGUAGE_VALUE_WEBJS = "webjs";
/** `telemetry.sdk.language` for Node.js (also what the official SDK reports under Bun). */
export const TELEMETRY_SDK_LANGUAGE_VALUE_NODEJS = "nodejs";

/** The `telemetry.sdk.name` otel-edge reports. */
export const SDK_NAME = "otel-edge";
/** The spec's `service.name` fallback when none is configured (non-process runtimes). */
export const UNKNOWN_SERVICE = "unknown_service";
