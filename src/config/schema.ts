/**
 * The OpenTelemetry configuration schema, file format 1.0 (opentelemetry-configuration 1.0.0,
 * `opentelemetry_configuration.json`), as far as otel-edge reads it, and the check of a parsed
 * document against it: types, ranges, enums, required properties, and no unknown property.
 * Properties named `…/development` that are not listed here are ignored with one warning each
 * (the schema's rule for them: "may be ignored"). Nodes the schema defines but otel-edge cannot
 * honour (OTLP/gRPC, TLS files, ...) pass this check and are refused by the mapping
 * (`to-options.ts`), naming what to use instead.
 *
 * Spec: https://github.com/open-telemetry/opentelemetry-configuration (schema/*.json)
 */
import { diagOnce } from "../common/diag.ts";

/** One node of the schema. `nullable`: the schema's `type: [..., "null"]`. */
export type SchemaNode =
  | { readonly kind: "string" | "boolean" | "any"; readonly nullable?: boolean }
  | { readonly kind: "integer" | "number"; readonly min?: number; readonly max?: number; readonly above?: boolean; readonly nullable?: boolean }
  | { readonly kind: "enum"; readonly values: readonly string[]; readonly nullable?: boolean }
  | { readonly kind: "array"; readonly items: SchemaNode; readonly min: number; readonly nullable?: boolean }
  | {
      readonly kind: "object";
      props: Record<string, SchemaNode>;
      readonly required?: readonly string[];
      /** Exactly one property (the schema's plugin choices: `minProperties: 1, maxProperties: 1`). */
      readonly one?: boolean;
      readonly nullable?: boolean;
      /** Any property allowed (`distribution`). */
      readonly open?: boolean;
    };

type ObjectNode = Extract<SchemaNode, { kind: "object" }>;

const string: SchemaNode = { kind: "string", nullable: true };
const requiredString: SchemaNode = { kind: "string" };
const boolean: SchemaNode = { kind: "boolean", nullable: true };
/** An integer ≥ `min` (> `min` with `above`), or null. */
const integer = (min: number, above = false, max?: number): SchemaNode => ({ kind: "integer", min, above, max, nullable: true });
const oneOf = (...values: string[]): SchemaNode => ({ kind: "enum", values, nullable: true });
const object = (props: Record<string, SchemaNode>, required?: string[]): ObjectNode => ({ kind: "object", props, required });
/** `type: [object, null]`: present and null means "with defaults". */
const nullable = (props: Record<string, SchemaNode> = {}): ObjectNode => ({ kind: "object", props, nullable: true });
const choice = (props: Record<string, SchemaNode>): ObjectNode => ({ kind: "object", props, one: true });
const array = (items: SchemaNode, min = 1): SchemaNode => ({ kind: "array", items, min });

let schema: SchemaNode | undefined;

/**
 * The document's schema (`OpenTelemetryConfiguration`), built on first use: a program that
 * bundles the reader but never reads a file does not build it, and nothing here runs on import.
 */
export function configurationSchema(): SchemaNode {
  return (schema ??= buildSchema());
}

function buildSchema(): SchemaNode {
  const NAME_VALUE = object({ name: requiredString, value: string }, ["name", "value"]);
  const OTLP = {
    endpoint: string,
    headers: array(NAME_VALUE),
    headers_list: string,
    compression: string,
    timeout: integer(0),
  };
  const METRIC_EXPORT = {
    temporality_preference: oneOf("cumulative", "delta", "low_memory"),
    default_histogram_aggregation: oneOf("explicit_bucket_histogram", "base2_exponential_bucket_histogram"),
  };
  const HTTP_TLS = { ca_file: string, key_file: string, cert_file: string };
  const OTLP_HTTP = { ...OTLP, tls: nullable(HTTP_TLS), encoding: oneOf("protobuf", "json") };
  const OTLP_GRPC = { ...OTLP, tls: nullable({ ...HTTP_TLS, insecure: boolean }) };
  const EMPTY = nullable();

  const EXPORTER = choice({ otlp_http: nullable(OTLP_HTTP), otlp_grpc: nullable(OTLP_GRPC), console: EMPTY });
  const batch = (exporter: SchemaNode): ObjectNode =>
    object({ schedule_delay: integer(0), export_timeout: integer(0), max_queue_size: integer(0, true), max_export_batch_size: integer(0, true), exporter }, ["exporter"]);
  const processors = (exporter: SchemaNode): SchemaNode => array(choice({ batch: batch(exporter), simple: object({ exporter }, ["exporter"]) }));

  const ATTRIBUTE_LIMITS = { attribute_value_length_limit: integer(0), attribute_count_limit: integer(0) };

  // The sampler refers to itself (parent_based's delegates).
  const SAMPLER: ObjectNode = choice({});
  const SAMPLER_PROPS: Record<string, SchemaNode> = {
    always_off: EMPTY,
    always_on: EMPTY,
    trace_id_ratio_based: nullable({ ratio: { kind: "number", min: 0, max: 1, nullable: true } }),
    parent_based: nullable({ root: SAMPLER, remote_parent_sampled: SAMPLER, remote_parent_not_sampled: SAMPLER, local_parent_sampled: SAMPLER, local_parent_not_sampled: SAMPLER }),
  };
  SAMPLER.props = SAMPLER_PROPS;

  const TRACER_PROVIDER = object(
    {
      processors: processors(EXPORTER),
      limits: object({
        ...ATTRIBUTE_LIMITS,
        event_count_limit: integer(0),
        link_count_limit: integer(0),
        event_attribute_count_limit: integer(0),
        link_attribute_count_limit: integer(0),
      }),
      sampler: SAMPLER,
    },
    ["processors"],
  );

  const INSTRUMENT_TYPES = ["counter", "gauge", "histogram", "observable_counter", "observable_gauge", "observable_up_down_counter", "up_down_counter"];
  const INCLUDE_EXCLUDE = object({ included: array(requiredString), excluded: array(requiredString) });
  const READER_COMMON = {
    producers: array(choice({ opencensus: EMPTY })),
    cardinality_limits: object(Object.fromEntries(["default", ...INSTRUMENT_TYPES].map((type) => [type, integer(0, true)]))),
  };
  const PUSH_EXPORTER = choice({ otlp_http: nullable({ ...OTLP_HTTP, ...METRIC_EXPORT }), otlp_grpc: nullable({ ...OTLP_GRPC, ...METRIC_EXPORT }), console: nullable(METRIC_EXPORT) });
  /** `prometheus/development` is read (a pull reader has no other exporter): see `to-options.ts`. */
  const PULL_EXPORTER = choice({
    "prometheus/development": nullable({
      host: string,
      port: integer(0),
      without_scope_info: boolean,
      without_target_info: boolean,
      with_resource_constant_labels: INCLUDE_EXCLUDE,
      translation_strategy: oneOf("underscore_escaping_with_suffixes", "underscore_escaping_without_suffixes", "no_utf8_escaping_with_suffixes", "no_translation"),
    }),
  });
  const METER_PROVIDER = object(
    {
      readers: array(
        choice({
          periodic: object({ interval: integer(0), timeout: integer(0), exporter: PUSH_EXPORTER, ...READER_COMMON }, ["exporter"]),
          pull: object({ exporter: PULL_EXPORTER, ...READER_COMMON }, ["exporter"]),
        }),
      ),
      views: array(
        object(
          {
            selector: object({
              instrument_name: string,
              instrument_type: oneOf(...INSTRUMENT_TYPES),
              unit: string,
              meter_name: string,
              meter_version: string,
              meter_schema_url: string,
            }),
            stream: object({
              name: string,
              description: string,
              aggregation: choice({
                default: EMPTY,
                drop: EMPTY,
                explicit_bucket_histogram: nullable({ boundaries: array({ kind: "number" }, 0), record_min_max: boolean }),
                base2_exponential_bucket_histogram: nullable({ max_scale: integer(-10, false, 20), max_size: integer(2), record_min_max: boolean }),
                last_value: EMPTY,
                sum: EMPTY,
              }),
              aggregation_cardinality_limit: integer(0, true),
              attribute_keys: INCLUDE_EXCLUDE,
            }),
          },
          ["selector", "stream"],
        ),
      ),
      exemplar_filter: oneOf("always_on", "always_off", "trace_based"),
    },
    ["readers"],
  );

  const SEVERITIES = ["trace", "debug", "info", "warn", "error", "fatal"].flatMap((s) => [s, `${s}2`, `${s}3`, `${s}4`]);

  // The document: `OpenTelemetryConfiguration`.
  return object(
    {
      file_format: requiredString,
      disabled: boolean,
      log_level: oneOf(...SEVERITIES),
      attribute_limits: object(ATTRIBUTE_LIMITS),
      logger_provider: object({ processors: processors(EXPORTER), limits: object(ATTRIBUTE_LIMITS) }, ["processors"]),
      meter_provider: METER_PROVIDER,
      // `jaeger` is one of the spec's built-in propagator keys, beside those the schema lists.
      propagator: object({
        composite: array(choice({ tracecontext: EMPTY, baggage: EMPTY, b3: EMPTY, b3multi: EMPTY, jaeger: EMPTY, ottrace: EMPTY })),
        composite_list: string,
      }),
      tracer_provider: TRACER_PROVIDER,
      resource: object({
        attributes: array(
          object(
            { name: requiredString, value: { kind: "any" }, type: oneOf("string", "bool", "int", "double", "string_array", "bool_array", "int_array", "double_array") },
            ["name", "value"],
          ),
        ),
        schema_url: string,
        attributes_list: string,
      }),
      distribution: { kind: "object", props: {}, open: true },
    },
    ["file_format"],
  );
}

/** Where the checked document came from: turns a path into `file:line: path`, and reports. */
export interface ConfigLocator {
  /** Throws the configuration error for `path`: `Cannot init: <file>:<line>: <path>: <message>`. */
  fail(path: string, message: string, range?: boolean): never;
  /**
   * The file declares a newer 1.x format: a property this schema does not know may be one that
   * format added (minor versions only add), so it is ignored with a warning instead of refused.
   */
  readonly newer?: boolean;
}

/** `path.key`, or `key` at the root. */
export const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function expected(node: SchemaNode): string {
  switch (node.kind) {
    case "integer":
    case "number": {
      const { min, max, above } = node;
      const range = [min !== undefined ? `${above ? ">" : ">="} ${min}` : "", max !== undefined ? `<= ${max}` : ""].filter(Boolean).join(" and ");
      return `${node.kind === "integer" ? "an integer" : "a number"}${range ? ` ${range}` : ""}`;
    }
    case "enum":
      return `one of ${node.values.join(", ")}`;
    case "array":
      return `a sequence${node.min ? " of at least one item" : ""}`;
    case "object":
      return node.one ? `a mapping with one of ${Object.keys(node.props).join(", ")}` : "a mapping";
    case "any":
      return "a value";
    default:
      return `a ${node.kind}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a sequence";
  if (typeof value === "object") return "a mapping";
  return typeof value === "string" ? JSON.stringify(value.slice(0, 64)) : String(value);
}

/**
 * Throws a TypeError (a RangeError for a number out of range) at the first place where
 * `value` does not follow `node`; warns once per `/development` property it skips.
 */
export function checkNode(value: unknown, node: SchemaNode, path: string, at: ConfigLocator): void {
  const wrong = (): never => at.fail(path, `expected ${expected(node)}, got ${describeValue(value)}`);
  if (value === null || value === undefined) {
    if (!node.nullable) wrong();
    return;
  }
  switch (node.kind) {
    case "any":
      return;
    case "string":
    case "boolean":
      if (typeof value !== node.kind) wrong();
      return;
    case "integer":
    case "number": {
      if (typeof value !== "number" || Number.isNaN(value) || (node.kind === "integer" && !Number.isInteger(value))) wrong();
      const n = value as number;
      const { min, max, above } = node;
      if ((min !== undefined && (above ? n <= min : n < min)) || (max !== undefined && n > max)) at.fail(path, `expected ${expected(node)}, got ${n}`, true);
      return;
    }
    case "enum":
      if (!node.values.includes(value as string)) wrong();
      return;
    case "array":
      if (!Array.isArray(value) || value.length < node.min) wrong();
      (value as unknown[]).forEach((item, i) => checkNode(item, node.items, `${path}[${i}]`, at));
      return;
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) wrong();
      const entries = Object.entries(value as Record<string, unknown>);
      let chosen = 0;
      for (const [key, child] of entries) {
        const property = node.props[key];
        const where = join(path, key);
        if (property) {
          chosen++;
          checkNode(child, property, where, at);
        } else if (key.endsWith("/development")) {
          diagOnce("warn", `config-development:${key}`, `Configuration: ${where} is a development property, which otel-edge ignores (see the README's configuration table).`);
        } else if (node.open) {
          // Any property (distribution).
        } else if (at.newer) {
          diagOnce("warn", `config-newer:${where}`, `Configuration: ${where} is not in file format 1.0, which otel-edge reads; ignored.`);
        } else {
          at.fail(where, `unknown property; expected ${node.one ? "one of" : "properties among"} ${Object.keys(node.props).join(", ")}`);
        }
      }
      for (const key of node.required ?? []) {
        const present = (value as Record<string, unknown>)[key];
        // "Required" is "present"; null only where the property's type allows it (NameStringValuePair.value).
        if (present === undefined || (present === null && !node.props[key]!.nullable)) at.fail(join(path, key), `required (${expected(node.props[key]!)})`);
      }
      if (node.one && (chosen > 1 || entries.length === 0)) at.fail(path, `expected exactly one of ${Object.keys(node.props).join(", ")}, got ${entries.length === 0 ? "none" : entries.map(([k]) => k).join(", ")}`);
      return;
    }
  }
}
