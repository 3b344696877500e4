/**
 * The envelope every OTLP signal shares: items grouped by resource, then by
 * instrumentation scope (opentelemetry-proto resource/v1/resource.proto and the
 * `Resource*`/`Scope*` messages of trace/v1, logs/v1, metrics/v1):
 *
 * `{"resourceSpans":[{"resource":{..},"scopeSpans":[{"scope":{..},"spans":[..],"schemaUrl":".."}],"schemaUrl":".."}]}`
 *
 * Resources group by object identity (the SDK shares one Resource per provider, so equal
 * content in two objects is two entries, as in the official exporter); scopes group by
 * name + version + schemaUrl. Each resource and scope is encoded once per batch. Everything
 * is written as UTF-8 bytes (json-writer.ts says why).
 */
import type { Resource } from "../../resource/resource.ts";
import type { InstrumentationScope } from "../../trace/types.ts";
import { writeKeyValues } from "./any-value.ts";
import { ascii, byte, closeObject, pos, rewind, string, uint, written } from "./json-writer.ts";
import type { BodySignal } from "./json-writer.ts";
import { unreadable, writeList } from "./write-items.ts";

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

/**
 * Groups `items` by resource (identity), then scope (name, version, schemaUrl), keeping
 * first-appearance order. Items whose resource or scope cannot be read are skipped.
 */
export function groupByResourceAndScope<T extends Scoped>(items: readonly T[]): ResourceGroup<T>[] {
  const groups = new Map<Resource, ResourceGroup<T>>();
  // Scope groups by resource and scope object, and by resource and scopeKey(): one map, as
  // the key of an object is never equal to a string.
  const byScope = new Map<unknown, Map<unknown, ScopeGroup<T>>>();
  // Consecutive items almost always share resource and scope objects: skip the lookups.
  let lastResource: Resource | undefined;
  let lastScope: InstrumentationScope | undefined;
  let group: ScopeGroup<T> | undefined;
  for (const item of items) {
    try {
      const resource = item.resource;
      const scope = item.instrumentationScope;
      if (!group || resource !== lastResource || scope !== lastScope) {
        let rg = groups.get(resource);
        let scopes = byScope.get(resource);
        if (!rg || !scopes) {
          groups.set(resource, (rg = { resource, scopes: [] }));
          byScope.set(resource, (scopes = new Map()));
        }
        group = scopes.get(scope);
        if (!group) {
          const key = scopeKey(scope);
          group = scopes.get(key);
          if (!group) {
            rg.scopes.push((group = { scope, items: [] }));
            scopes.set(key, group);
          }
          scopes.set(scope, group);
        }
        lastResource = resource;
        lastScope = scope;
      }
      group.items.push(item);
    } catch {
      unreadable("an item");
    }
  }
  return [...groups.values()];
}

function scopeKey(scope: InstrumentationScope | undefined): string {
  // JSON keeps the three parts unambiguous whatever characters they contain.
  return scope !== null && typeof scope === "object" ? JSON.stringify([str(scope.name), str(scope.version), str(scope.schemaUrl)]) : "";
}

/** `value` if it is a string, else "". */
export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * `key` (a fragment such as `,"unit":`) and the JSON string `value` when it is a non-empty
 * string (the empty string is the proto3 default, omitted); nothing otherwise.
 */
export function stringField(key: string, value: unknown): void {
  if (typeof value === "string" && value !== "") {
    ascii(key);
    string(value);
  }
}

/**
 * `field` (a fragment such as `,"droppedEventsCount":`) and `n` for a positive count (OTLP
 * `uint32` dropped counts; zero is the proto3 default and is omitted), clamped to 2^32 - 1;
 * nothing otherwise.
 */
export function countField(field: string, n: unknown): void {
  if (typeof n === "number" && n >= 1) {
    ascii(field);
    uint(n >= 4294967295 ? 4294967295 : Math.floor(n));
  }
}

/**
 * `,"attributes":[..]` (omitted when empty) followed by {@link countField}
 * `,"droppedAttributesCount":n`: the attribute part of resources, scopes, spans, events and links.
 */
export function attributesFields(attributes: unknown, droppedCount: unknown): void {
  attributeList(',"attributes":[', attributes);
  countField(',"droppedAttributesCount":', droppedCount);
}

/** `open` (such as `,"attributes":[`), the KeyValue list of `attributes` and `]`; nothing when it is empty. */
export function attributeList(open: string, attributes: unknown): void {
  const mark = pos;
  ascii(open);
  if (writeKeyValues(attributes)) byte(93);
  else rewind(mark);
}

/** An OTLP `Resource` JSON object: `{"attributes":[..],"droppedAttributesCount":n}` (empty parts omitted). */
export function writeResource(resource: Resource | undefined): void {
  const mark = pos;
  try {
    attributesFields(resource?.attributes, resource?.droppedAttributesCount);
  } catch {
    rewind(mark);
    unreadable("a resource");
  }
  closeObject(mark);
}

/**
 * An OTLP `InstrumentationScope` JSON object: `{"name":"..","version":".."}`, plus
 * `attributes` / `droppedAttributesCount` when the scope object carries them.
 */
export function writeScope(scope: InstrumentationScope | undefined): void {
  const mark = pos;
  try {
    const extra = scope as { attributes?: unknown; droppedAttributesCount?: unknown } | undefined;
    ascii('{"name":');
    string(str(scope?.name));
    stringField(',"version":', scope?.version);
    attributesFields(extra?.attributes, extra?.droppedAttributesCount);
    byte(125);
  } catch {
    unreadable("a scope");
    rewind(mark);
    ascii('{"name":""}');
  }
}

// A resource or scope group is taken back silently when none of its items was kept (each of
// those drops was reported); writeList reports a group or an item that threw while being
// written (an item rejected on purpose, with invalid ids, is reported by its encoder).
const GROUP = "a resource or scope group";

/**
 * The complete export request for one signal, as UTF-8 bytes: groups `items`, writes each
 * resource and scope once, and each item through `writeItem` (which writes its JSON object
 * and returns true, or returns false to drop it; what it wrote before is then taken back).
 * `kind` names the envelope (`"Spans"`: `resourceSpans`, `scopeSpans`) and `itemsKey` the
 * item list (`"spans"`). An item whose encoding throws is dropped and reported once;
 * resources and scopes left without items are omitted. With no items the result is a valid
 * but empty request (`{"resourceSpans":[]}`), which callers must not send (DESIGN: never
 * send an empty payload).
 */
export function writeRequest<T extends Scoped>(signal: BodySignal, kind: string, itemsKey: string, items: readonly T[], writeItem: (item: T) => boolean): Uint8Array {
  const open = '{"resource' + kind + '":[';
  /** The rest of a resource or scope group after its resource or scope: its list, `schemaUrl` and `}`; false when no item was kept. */
  const rest = <I, A>(listOpen: string, list: readonly I[], write: (item: I, arg: A) => boolean, what: string, holder: { readonly schemaUrl?: string } | undefined): boolean => {
    const mark = pos;
    writeList(listOpen, list, write, undefined as A, what);
    if (pos === mark) return false;
    let url: unknown;
    try {
      url = holder?.schemaUrl;
    } catch {
      // an unreadable schemaUrl is left out
    }
    stringField(',"schemaUrl":', url);
    byte(125);
    return true;
  };
  const scopeGroup = (sg: ScopeGroup<T>): boolean => {
    ascii('{"scope":');
    writeScope(sg.scope);
    return rest(',"' + itemsKey + '":[', sg.items, writeItem, "an item", sg.scope);
  };
  const resourceGroup = (rg: ResourceGroup<T>): boolean => {
    ascii('{"resource":');
    writeResource(rg.resource);
    return rest(',"scope' + kind + '":[', rg.scopes, scopeGroup, GROUP, rg.resource);
  };
  return written(signal, () => {
    writeList(open, groupByResourceAndScope(items), resourceGroup, undefined, GROUP);
    if (!pos) ascii(open + "]");
    byte(125);
  });
}
