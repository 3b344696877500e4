/**
 * A Resource: the entity producing telemetry (`service.name`, SDK identity, host or
 * runtime attributes). Spec: https://opentelemetry.io/docs/specs/otel/resource/sdk/
 */
import { diag } from "../common/diag.ts";
import { copyAttributes, type Attributes } from "../common/attributes.ts";

/** Attributes describing the source of telemetry. */
export interface Resource {
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
  readonly droppedAttributesCount?: number;
}

const NO_LIMITS = { countLimit: Infinity, valueLengthLimit: Infinity };

/**
 * Creates an immutable resource (spec: Resource SDK "Create"). Attributes are copied and
 * sanitized: invalid values are dropped with one diagnostic, `undefined` values are left
 * out. An empty `schemaUrl` counts as none.
 *
 * @example
 * ```ts
 * const resource = createResource({ "service.name": "checkout" }, "https://opentelemetry.io/schemas/1.26.0");
 * ```
 */
export function createResource(attributes: Attributes, schemaUrl?: string): Resource {
  const copied = copyAttributes(attributes, NO_LIMITS).attributes;
  if (schemaUrl !== undefined && typeof schemaUrl !== "string") {
    diag.warn(`createResource: ignoring a schema URL that is not a string (${typeof schemaUrl}).`);
    schemaUrl = undefined;
  }
  return freeze(copied, schemaUrl || undefined, 0);
}

/**
 * What a provider created without a resource reports: `service.name` is required, and the
 * spec's fallback for an unknown one is `unknown_service` (Resource semantic conventions).
 */
export const DEFAULT_RESOURCE: Resource = /* @__PURE__ */ Object.freeze({ attributes: /* @__PURE__ */ Object.freeze({ "service.name": "unknown_service" }) });

/** The empty resource (spec: "The empty resource"). */
export const EMPTY_RESOURCE: Resource = /* @__PURE__ */ Object.freeze({ attributes: /* @__PURE__ */ Object.freeze({}) });

/**
 * Merges two resources (spec: Resource SDK "Merge"): every attribute of both, with the
 * updating resource's value winning on conflicts (even an empty string). Schema URL: the
 * non-empty one if only one is set; the shared one if both are equal. Two different
 * non-empty schema URLs are a merging error whose result the spec leaves to the
 * implementation: we keep the merged attributes, drop the schema URL (the attributes no
 * longer follow a single schema — the Go SDK does the same) and report it through `diag`.
 */
export function mergeResources(base: Resource | undefined, override: Resource | undefined): Resource {
  if (!override) return base ?? EMPTY_RESOURCE;
  if (!base) return override;
  const attributes: Attributes = {};
  assign(attributes, base.attributes);
  assign(attributes, override.attributes);
  const a = base.schemaUrl || undefined;
  const b = override.schemaUrl || undefined;
  let schemaUrl: string | undefined;
  if (a === undefined) schemaUrl = b;
  else if (b === undefined || a === b) schemaUrl = a;
  else {
    diag.warn(`Merging resources with different schema URLs (${JSON.stringify(a)} and ${JSON.stringify(b)}): keeping the merged attributes without a schema URL (Resource SDK spec, "Merge").`);
    schemaUrl = undefined;
  }
  const dropped = (base.droppedAttributesCount ?? 0) + (override.droppedAttributesCount ?? 0);
  return freeze(attributes, schemaUrl, dropped);
}

function assign(target: Attributes, source: Attributes | undefined): void {
  if (!source) return;
  for (const key of Object.keys(source)) {
    let value = source[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) value = value.slice() as typeof value; // never freeze the caller's array
    if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    else target[key] = value;
  }
}

function freeze(attributes: Attributes, schemaUrl: string | undefined, dropped: number): Resource {
  for (const value of Object.values(attributes)) if (Array.isArray(value)) Object.freeze(value);
  const resource: { attributes: Attributes; schemaUrl?: string; droppedAttributesCount?: number } = { attributes: Object.freeze(attributes) };
  if (schemaUrl !== undefined) resource.schemaUrl = schemaUrl;
  if (dropped > 0) resource.droppedAttributesCount = dropped;
  return Object.freeze(resource);
}
