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
 * is written as UTF-8 bytes into a {@link JsonWriter} (json-writer.ts says why).
 */
import { diagOnce } from "../../common/diag.ts";
import type { Resource } from "../../resource/resource.ts";
import type { InstrumentationScope } from "../../trace/types.ts";
import { writeKeyValues } from "./any-value.ts";
import { fragment, JsonWriter } from "./json-writer.ts";
import { writeItems } from "./write-items.ts";

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
      diagOnce("warn", "OTLP encoder: dropped an item whose resource or scope could not be read.");
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
 * `key` (a fragment such as `,"unit":`) and the JSON string `value` when it is a non-empty
 * string (the empty string is the proto3 default, omitted); nothing otherwise.
 */
export function stringField(w: JsonWriter, key: string, value: unknown): void {
  if (typeof value === "string" && value !== "") {
    w.ascii(key);
    w.string(value);
  }
}

/**
 * `field` (a fragment such as `,"droppedEventsCount":`) and `n` for a positive count (OTLP
 * `uint32` dropped counts; zero is the proto3 default and is omitted), clamped to 2^32 - 1;
 * nothing otherwise.
 */
export function countField(w: JsonWriter, field: string, n: unknown): void {
  if (typeof n === "number" && n >= 1) {
    w.ascii(field);
    w.uint(n >= 4294967295 ? 4294967295 : Math.floor(n));
  }
}

const ATTRIBUTES = /* @__PURE__ */ fragment(',"attributes":[');

/**
 * `,"attributes":[..]` (omitted when empty) followed by {@link countField}
 * `droppedAttributesCount`: the attribute part of resources, scopes, spans, events and links.
 * `comma` false leaves out the leading comma (the first field of a resource).
 */
export function attributesFields(w: JsonWriter, attributes: unknown, dropped: unknown, comma: boolean = true): void {
  const mark = w.pos;
  if (comma) w.bytes(ATTRIBUTES);
  else w.ascii('"attributes":[');
  const wrote = writeKeyValues(w, attributes);
  if (wrote) w.byte(0x5d);
  else w.pos = mark;
  countField(w, comma || wrote ? ',"droppedAttributesCount":' : '"droppedAttributesCount":', dropped);
}

/** An OTLP `Resource` JSON object: `{"attributes":[..],"droppedAttributesCount":n}` (empty parts omitted). */
export function writeResource(w: JsonWriter, resource: Resource | undefined): void {
  w.byte(0x7b); // {
  if (resource !== null && typeof resource === "object") {
    const mark = w.pos;
    try {
      attributesFields(w, resource.attributes, resource.droppedAttributesCount, false);
    } catch {
      w.pos = mark;
      diagOnce("warn", "OTLP encoder: resource attributes could not be read.");
    }
  }
  w.byte(0x7d);
}

/**
 * An OTLP `InstrumentationScope` JSON object: `{"name":"..","version":".."}`, plus
 * `attributes` / `droppedAttributesCount` when the scope object carries them.
 */
export function writeScope(w: JsonWriter, scope: InstrumentationScope | undefined): void {
  const mark = w.pos;
  if (scope !== null && typeof scope === "object") {
    try {
      w.ascii('{"name":');
      w.string(str(scope.name));
      stringField(w, ',"version":', scope.version);
      const extra = scope as { attributes?: unknown; droppedAttributesCount?: unknown };
      attributesFields(w, extra.attributes, extra.droppedAttributesCount);
      w.byte(0x7d);
      return;
    } catch {
      diagOnce("warn", "OTLP encoder: instrumentation scope could not be read.");
    }
  }
  w.pos = mark;
  w.ascii('{"name":""}');
}

/** `,"schemaUrl":".."` when `holder.schemaUrl` is a non-empty string, else nothing. */
function schemaUrlField(w: JsonWriter, holder: { readonly schemaUrl?: string } | undefined): void {
  let url: unknown;
  try {
    url = holder?.schemaUrl;
  } catch {
    return;
  }
  stringField(w, ',"schemaUrl":', url);
}

/**
 * The complete export request for one signal into `w`: groups `items`, writes each resource
 * and scope once, and each item through `writeItem` (which writes its JSON object and returns
 * true, or returns false to drop it; what it wrote before is then taken back). An item whose
 * encoding throws is dropped and reported once; resources and scopes left without items are
 * omitted. With no items the result is a valid but empty request (`{"resourceSpans":[]}`),
 * which callers must not send (DESIGN: never send an empty payload).
 */
export function writeGrouped<T extends Scoped>(
  w: JsonWriter,
  items: readonly T[],
  keys: SignalKeys,
  writeItem: (w: JsonWriter, item: T) => boolean,
): void {
  w.ascii(keys.open);
  writeItems(w, groupByResourceAndScope(items), writeResourceGroup, { keys, writeItem }, "a resource or scope group");
  w.ascii("]}");
}

/** What {@link writeGrouped} passes down to each resource and scope group. */
interface GroupWriting<T> {
  readonly keys: SignalKeys;
  readonly writeItem: (w: JsonWriter, item: T) => boolean;
}

// A resource or scope group is taken back silently when none of its items was kept (each of
// those drops was reported); writeItems reports a group or an item that threw while being
// written (an item rejected on purpose, with invalid ids, is reported by its encoder).
/** One `Resource<Signal>` object; false (taken back) when none of its scopes kept an item. */
function writeResourceGroup<T>(w: JsonWriter, rg: ResourceGroup<T>, g: GroupWriting<T>): boolean {
  w.ascii('{"resource":');
  writeResource(w, rg.resource);
  w.byte(0x2c);
  w.ascii(g.keys.scopes);
  const start = w.pos;
  writeItems(w, rg.scopes, writeScopeGroup, g, "a resource or scope group");
  if (w.pos === start) return false;
  w.byte(0x5d);
  schemaUrlField(w, rg.resource);
  w.byte(0x7d);
  return true;
}

/** One `Scope<Signal>` object; false (taken back) when none of its items was kept. */
function writeScopeGroup<T>(w: JsonWriter, sg: ScopeGroup<T>, g: GroupWriting<T>): boolean {
  w.ascii('{"scope":');
  writeScope(w, sg.scope);
  w.byte(0x2c);
  w.ascii(g.keys.items);
  const start = w.pos;
  writeItems(w, sg.items, g.writeItem, undefined, "an item");
  if (w.pos === start) return false;
  w.byte(0x5d);
  schemaUrlField(w, sg.scope);
  w.byte(0x7d);
  return true;
}
