/**
 * The SDK's default resource: service identity from options and the environment, plus the
 * SDK's own `telemetry.sdk.*` attributes (spec: Resource SDK "SDK-provided resource
 * attributes" and "Specifying resource information via an environment variable").
 *
 * Precedence, lowest to highest (each layer merged over the previous one):
 * 1. SDK defaults: `telemetry.sdk.name = "otel-edge"`, `telemetry.sdk.language`,
 *    `telemetry.sdk.version`, `service.name = "unknown_service"`;
 * 2. `OTEL_RESOURCE_ATTRIBUTES` (percent-decoded `key=value` pairs, all strings; one malformed
 *    entry discards the whole value, with an error);
 * 3. `OTEL_SERVICE_NAME` (spec: takes precedence over `service.name` in 2);
 * 4. `options.attributes` (user-provided information has priority over the environment);
 * 5. `options.serviceName`, `options.serviceVersion`, `options.deploymentEnvironment`.
 *
 * `service.name` falls back to `unknown_service` — the spec's value for runtimes without a
 * process executable name. Node's would be `unknown_service:node`; the Node runtime entry
 * passes that as `serviceName` itself when nothing else is configured.
 */
import { describeValue } from "../common/describe.ts";
import { diag } from "../common/diag.ts";
import { copyAttributes, type Attributes } from "../common/attributes.ts";
import { envString, parseKeyValueList, type EnvRecord } from "../common/env.ts";
import { createResource, type Resource } from "./resource.ts";
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_TELEMETRY_SDK_LANGUAGE,
  ATTR_TELEMETRY_SDK_NAME,
  ATTR_TELEMETRY_SDK_VERSION,
  SDK_NAME,
  TELEMETRY_SDK_LANGUAGE_VALUE_WEBJS,
  UNKNOWN_SERVICE,
} from "./semantic.ts";

/** Inputs of {@link buildResource}. */
export interface BuildResourceOptions {
  /** `service.name`; wins over every other source. */
  serviceName?: string;
  /** `service.version`. */
  serviceVersion?: string;
  /** `deployment.environment.name`, e.g. `production`. */
  deploymentEnvironment?: string;
  /** More resource attributes; win over `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME`. */
  attributes?: Attributes;
  /** Where `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` are read from. */
  env?: EnvRecord;
  /** `telemetry.sdk.version`: the otel-edge version. */
  sdkVersion: string;
  /**
   * `telemetry.sdk.language`. Default `"webjs"`: the core runs on web-standard APIs, and the
   * semantic conventions have no generic JavaScript value. The Node runtime entry passes
   * `"nodejs"`, matching what the official SDK reports there.
   */
  sdkLanguage?: string;
  /** Schema URL of the resulting resource, if the caller knows its attributes follow one. */
  schemaUrl?: string;
  /**
   * `service.name` when none is configured. Default `unknown_service`; runtime entries pass
   * the spec's `unknown_service:<process.executable.name>` form, e.g. `unknown_service:node`.
   */
  defaultServiceName?: string;
}

/**
 * Builds the resource for a provider from options and environment. Never throws:
 * a missing `service.name` falls back to `unknown_service` with a warning, and malformed
 * values (not a non-empty string) are ignored with a warning.
 *
 * @example
 * ```ts
 * const resource = buildResource({ serviceName: "checkout", env: process.env, sdkVersion: "0.1.0" });
 * resource.attributes["service.name"]; // "checkout"
 * ```
 */
export function buildResource(options: BuildResourceOptions): Resource {
  return buildResourceWith(options, resourceAttributesFromEnv(options?.env));
}

/**
 * `OTEL_RESOURCE_ATTRIBUTES` (percent-decoded `key=value` pairs) with `service.name` from
 * `OTEL_SERVICE_NAME` over it, as read from `env`. One malformed entry discards the whole
 * value, with an error (spec, Resource SDK, "Specifying resource information via an environment
 * variable": on any error, e.g. a failed percent-decoding, the entire value SHOULD be discarded).
 *
 * @example
 * ```ts
 * resourceAttributesFromEnv({ OTEL_RESOURCE_ATTRIBUTES: "team=web", OTEL_SERVICE_NAME: "shop" }); // { team: "web", "service.name": "shop" }
 * ```
 */
export function resourceAttributesFromEnv(env: EnvRecord | undefined): Attributes {
  const fromEnv: Attributes = parseKeyValueList(envString(env, "OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES", true);
  const envServiceName = envString(env, "OTEL_SERVICE_NAME");
  if (envServiceName !== undefined) fromEnv[ATTR_SERVICE_NAME] = envServiceName;
  return fromEnv;
}

/**
 * {@link buildResource} with the environment's attributes given (`fromEnv`, layers 2 and 3;
 * `options.env` is not read): `init()` passes what its runtime read, and nothing in a browser,
 * which then bundles no environment parsing.
 */
export function buildResourceWith(options: BuildResourceOptions, fromEnv: Attributes): Resource {
  const o = options ?? ({} as BuildResourceOptions);
  // copyAttributes reads hostile objects safely (throwing getters are skipped and reported).
  const user: Attributes = copyAttributes(o.attributes, { countLimit: Infinity, valueLengthLimit: Infinity }).attributes;
  [o.serviceName, o.serviceVersion, o.deploymentEnvironment].forEach((value, i) => {
    if (value !== undefined) user[IDENTITY_KEYS[i]!] = value;
  });

  // Identity attributes must be non-empty strings; a malformed one is dropped with a warning
  // so the next source down (or the fallback) applies instead of a useless value.
  dropMalformed(user, "options");
  dropMalformed(fromEnv, "OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME");

  // The layers in one pass, later ones winning (object spread defines `__proto__` as an own key).
  const attributes: Attributes = {
    [ATTR_TELEMETRY_SDK_NAME]: SDK_NAME,
    [ATTR_TELEMETRY_SDK_LANGUAGE]: nonEmptyString(o.sdkLanguage) ? o.sdkLanguage : TELEMETRY_SDK_LANGUAGE_VALUE_WEBJS,
    [ATTR_TELEMETRY_SDK_VERSION]: typeof o.sdkVersion === "string" ? o.sdkVersion : "",
    ...fromEnv,
    ...user,
  };
  if (attributes[ATTR_SERVICE_NAME] === undefined) {
    const fallback = nonEmptyString(o.defaultServiceName) ? o.defaultServiceName : UNKNOWN_SERVICE;
    diag.warn(
      `No service.name configured: using "${fallback}". Set the serviceName option, OTEL_SERVICE_NAME, or service.name in OTEL_RESOURCE_ATTRIBUTES.`,
    );
    // The fallback is the lowest layer: first in the attribute order.
    return createResource({ [ATTR_SERVICE_NAME]: fallback, ...attributes }, o.schemaUrl);
  }
  return createResource(attributes, o.schemaUrl);
}

// In the order of serviceName, serviceVersion, deploymentEnvironment.
const IDENTITY_KEYS = [ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION, ATTR_DEPLOYMENT_ENVIRONMENT_NAME];

function dropMalformed(attributes: Attributes, source: string): void {
  for (const key of IDENTITY_KEYS) {
    const value = attributes[key];
    if (!Object.prototype.hasOwnProperty.call(attributes, key) || nonEmptyString(value)) continue;
    if (value !== undefined) diag.warn(`Ignoring ${key} from ${source}: expected a non-empty string, got ${describeValue(value)}.`);
    delete attributes[key];
  }
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === "string" && v.trim() !== "";
}
