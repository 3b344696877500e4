/**
 * The envelope every OTLP signal shares: items grouped by resource, then by
 * instrumentation scope (opentelemetry-proto resource/v1/resource.proto and the
 * `Resource*`/`Scope*` messages of trace/v1, logs/v1, metrics/v1):
 *
 * `{"resourceSpans":[{"resource":{..},"scopeSpans":[{"scope":{..},"spans":[..],"schemaUrl":".."}],"schemaUrl":".."}]}`
 *
 * Resources group by object identity (the SDK shares one Resource per provider, so equal
 * content in two objects is two entries, as in the official exporter); scopes group by
 * name + version + schemaUrl. Each resource and scope is encoded once per batch.
 */
import { diagOnce } from "../../common/diag.ts";
import type { Resource } from "../../resource/resource.ts";
import type { InstrumentationScope } from "../../trace/types.ts";
import { encodeKeyValueList } from "./any-value.ts";
import { jsonString } from "./json-string.ts";

/** Anything exported per resource and scope: spans, log records. */
export interface Scoped {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
}

/** Items of one instrumentation scope, in input order. */
export interface ScopeGroup<T> {
  readonly scope: InstrumentationScope;
  readonly items: T[];
}

/** Scope groups of one resource, in order of first appearance. */
export interface ResourceGroup<T> {
  readonly resource: Resource;
  readonly scopes: ScopeGroup<T>[];
}

/** Pre-built JSON fragments naming one signal's envelope fields. */
export interface SignalKeys {
  /** `{"resourceSpans":[` */
  readonly open: string;
  /** `"scopeSpans":[` */
  readonly scopes: string;
  /** `"spans":[` */
  readonly items: string;
}

/** The envelope field names for a signal, e.g. `signalKeys("resourceSpans", "scopeSpans", "spans")`. */
export function signalKeys(resourceKey: string, scopeKey: string, itemsKey: string): SignalKeys {
  return { open: '{"' + resourceKey + '":[', scopes: '"' + scopeKey + '":[', items: '"' + itemsKey + '":[' };
}

interface MutableResourceGroup<T> extends ResourceGroup<T> {
  readonly byScopeObject: Map<InstrumentationScope, ScopeGroup<T>>;
  readonly byScopeKey: Map<string, ScopeGroup<T>>;
}

/**
 * Groups `items` by resource (identity), then scope (name, version, schemaUrl), keeping
 * first-appearance order. Items whose resource or scope cannot be read are skipped.
 */
export function groupByResourceAndScope<T extends Scoped>(items: readonly T[]): ResourceGroup<T>[] {
  const groups = new Map<Resource, MutableResourceGroup<T>>();
  // Consecutive items almost always share resource and scope objects: skip the lookups.
  let lastResource: Resource | undefined;
  let lastScope: InstrumentationScope | undefined;
  let lastGroup: ScopeGroup<T> | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    let resource: Resource;
    let scope: InstrumentationScope;
    try {
      resource = item.resource;
      scope = item.instrumentationScope;
    } catch {
      diagOnce("warn", "otlp-group-throw", "OTLP encoder: dropped an item whose resource or scope could not be read.");
      continue;
    }
    if (lastGroup !== undefined && resource === lastResource && scope === lastScope) {
      lastGroup.items.push(item);
      continue;
    }
    let rg = groups.get(resource);
    if (rg === undefined) {
      rg = { resource, scopes: [], byScopeObject: new Map(), byScopeKey: new Map() };
      groups.set(resource, rg);
    }
    let sg = rg.byScopeObject.get(scope);
    if (sg === undefined) {
      const key = scopeKey(scope);
      sg = rg.byScopeKey.get(key);
      if (sg === undefined) {
        sg = { scope, items: [] };
        rg.byScopeKey.set(key, sg);
        rg.scopes.push(sg);
      }
      rg.byScopeObject.set(scope, sg);
    }
    sg.items.push(item);
    lastResource = resource;
    lastScope = scope;
    lastGroup = sg;
  }
  // The lookup maps stay on the groups: copying them out would cost more than they weigh.
  return [...groups.values()];
}

function scopeKey(scope: InstrumentationScope | undefined): string {
  if (scope === null || typeof scope !== "object") return "";
  // JSON keeps the three parts unambiguous whatever characters they contain.
  return JSON.stringify([str(scope.name), str(scope.version), str(scope.schemaUrl)]);
}

/** `value` if it is a string, else "". */
export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * `,"<key>":<n>` for a positive count (OTLP `uint32` dropped counts; zero is the proto3
 * default and is omitted), clamped to 2^32 - 1; "" otherwise.
 */
export function countField(key: string, n: unknown): string {
  if (typeof n !== "number" || !(n >= 1)) return "";
  return ',"' + key + '":' + (n >= 4294967295 ? "4294967295" : String(Math.floor(n)));
}

/**
 * `,"attributes":[..]` (omitted when empty) followed by {@link countField}
 * `droppedAttributesCount`: the attribute part of resources, scopes, spans, events and links.
 */
export function attributesFields(attributes: unknown, dropped: unknown): string {
  const list = encodeKeyValueList(attributes);
  return (list === "[]" ? "" : ',"attributes":' + list) + countField("droppedAttributesCount", dropped);
}

/** An OTLP `Resource` JSON object: `{"attributes":[..],"droppedAttributesCount":n}` (empty parts omitted). */
export function encodeResource(resource: Resource | undefined): string {
  if (resource === null || typeof resource !== "object") return "{}";
  let parts = "";
  try {
    parts = attributesFields(resource.attributes, resource.droppedAttributesCount);
  } catch {
    diagOnce("warn", "otlp-resource-throw", "OTLP encoder: resource attributes could not be read.");
  }
  return "{" + parts.slice(1) + "}";
}

/**
 * An OTLP `InstrumentationScope` JSON object: `{"name":"..","version":".."}`, plus
 * `attributes` / `droppedAttributesCount` when the scope object carries them.
 */
export function encodeScope(scope: InstrumentationScope | undefined): string {
  if (scope === null || typeof scope !== "object") return '{"name":""}';
  try {
    let out = '{"name":' + jsonString(str(scope.name));
    const version = str(scope.version);
    if (version !== "") out += ',"version":' + jsonString(version);
    const extra = scope as { attributes?: unknown; droppedAttributesCount?: unknown };
    return out + attributesFields(extra.attributes, extra.droppedAttributesCount) + "}";
  } catch {
    diagOnce("warn", "otlp-scope-throw", "OTLP encoder: instrumentation scope could not be read.");
    return '{"name":""}';
  }
}

/** `,"schemaUrl":".."` when `holder.schemaUrl` is a non-empty string, else "". */
function schemaUrlField(holder: { readonly schemaUrl?: string } | undefined): string {
  let url: unknown;
  try {
    url = holder?.schemaUrl;
  } catch {
    return "";
  }
  return typeof url === "string" && url !== "" ? ',"schemaUrl":' + jsonString(url) : "";
}

/**
 * The complete export request for one signal: groups `items`, writes each resource and
 * scope once, and each item through `encodeItem` (which returns its JSON object, or
 * `undefined` to drop it). An item whose encoding throws is dropped and reported once;
 * resources and scopes left without items are omitted. With no items the result is a
 * valid but empty request (`{"resourceSpans":[]}`), which callers must not send
 * (DESIGN: never send an empty payload).
 */
export function encodeGrouped<T extends Scoped>(
  items: readonly T[],
  keys: SignalKeys,
  encodeItem: (item: T) => string | undefined,
): string {
  let out = keys.open;
  let firstResource = true;
  const groups = groupByResourceAndScope(items);
  for (let r = 0; r < groups.length; r++) {
    const rg = groups[r]!;
    let scopes = "";
    for (let s = 0; s < rg.scopes.length; s++) {
      const sg = rg.scopes[s]!;
      let encoded = "";
      for (let i = 0; i < sg.items.length; i++) {
        let item: string | undefined;
        try {
          item = encodeItem(sg.items[i]!);
        } catch {
          diagOnce("warn", "otlp-item-throw", "OTLP encoder: dropped an item that could not be read.");
          continue;
        }
        if (item !== undefined) encoded += (encoded === "" ? "" : ",") + item;
      }
      if (encoded === "") continue;
      scopes +=
        (scopes === "" ? "{" : ",{") +
        '"scope":' + encodeScope(sg.scope) + "," + keys.items + encoded + "]" +
        schemaUrlField(sg.scope) + "}";
    }
    if (scopes === "") continue;
    out +=
      (firstResource ? "{" : ",{") +
      '"resource":' + encodeResource(rg.resource) + "," + keys.scopes + scopes + "]" +
      schemaUrlField(rg.resource) + "}";
    firstResource = false;
  }
  return out + "]}";
}
