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
import type { Resource } from "../../resource/resource.ts";
import type { InstrumentationScope } from "../../trace/types.ts";
import { writeKeyValues } from "./any-value.ts";
import { JsonWriter } from "./json-writer.ts";
import type { BodySignal } from "./json-writer.ts";
import { dropped, writeItems, writeList } from "./write-items.ts";

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

interface MutableResourceGroup<T> extends ResourceGroup<T> {
  // Scope groups by scope object and by scopeKey() (a string, so the two never collide).
  readonly byScope: Map<InstrumentationScope | string, ScopeGroup<T>>;
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
      dropped("an item whose resource or scope could not be read");
      continue;
    }
    if (lastGroup === undefined || resource !== lastResource || scope !== lastScope) {
      let rg = groups.get(resource);
      if (rg === undefined) {
        rg = { resource, scopes: [], byScope: new Map() };
        groups.set(resource, rg);
      }
      lastGroup = rg.byScope.get(scope);
      if (lastGroup === undefined) {
        const key = scopeKey(scope);
        lastGroup = rg.byScope.get(key);
        if (lastGroup === undefined) {
          lastGroup = { scope, items: [] };
          rg.byScope.set(key, lastGroup);
          rg.scopes.push(lastGroup);
        }
        rg.byScope.set(scope, lastGroup);
      }
      lastResource = resource;
      lastScope = scope;
    }
    lastGroup.items.push(item);
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

/**
 * `,"attributes":[..]` (omitted when empty) followed by {@link countField}
 * `,"droppedAttributesCount":n`: the attribute part of resources, scopes, spans, events and links.
 */
export function attributesFields(w: JsonWriter, attributes: unknown, dropped: unknown): void {
  attributeList(w, ',"attributes":[', attributes);
  countField(w, ',"droppedAttributesCount":', dropped);
}

/** `open` (such as `,"attributes":[`), the KeyValue list of `attributes` and `]`; nothing when it is empty. */
export function attributeList(w: JsonWriter, open: string, attributes: unknown): void {
  const mark = w.pos;
  w.ascii(open);
  if (writeKeyValues(w, attributes)) w.byte(0x5d);
  else w.pos = mark;
}

/**
 * `key` (such as `,"spanId":"`), the hex id (`JsonWriter.hexId`: `len` lowercase hex digits,
 * not all zero) and its closing quote; false, with a partial write the caller takes back,
 * for an invalid id.
 */
export function hexField(w: JsonWriter, key: string, id: unknown, len: number): boolean {
  w.ascii(key);
  if (!w.hexId(id, len)) return false;
  w.byte(0x22);
  return true;
}

/**
 * Makes the fields written since `mark`, each with its leading comma, one JSON object (the
 * first comma becomes `{`); `{}` when there are none.
 */
export function closeObject(w: JsonWriter, mark: number): void {
  if (w.pos === mark) w.byte(0x7b);
  else w.buf[mark] = 0x7b;
  w.byte(0x7d);
}

/** An OTLP `Resource` JSON object: `{"attributes":[..],"droppedAttributesCount":n}` (empty parts omitted). */
export function writeResource(w: JsonWriter, resource: Resource | undefined): void {
  const mark = w.pos;
  if (resource !== null && typeof resource === "object") {
    try {
      attributesFields(w, resource.attributes, resource.droppedAttributesCount);
    } catch {
      w.pos = mark;
      dropped("resource attributes that could not be read");
    }
  }
  closeObject(w, mark);
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
      dropped("an instrumentation scope that could not be read");
    }
  }
  w.pos = mark;
  w.ascii('{"name":""}');
}

/**
 * The complete export request for one signal in a new body writer: groups `items`, writes
 * each resource and scope once, and each item through `writeItem` (which writes its JSON
 * object and returns true, or returns false to drop it; what it wrote before is then taken
 * back). `kind` names the envelope (`"Spans"`: `resourceSpans`, `scopeSpans`) and `itemsKey`
 * the item list (`"spans"`). An item whose encoding throws is dropped and reported once;
 * resources and scopes left without items are omitted. With no items the result is a valid
 * but empty request (`{"resourceSpans":[]}`), which callers must not send (DESIGN: never
 * send an empty payload).
 */
export function writeRequest<T extends Scoped>(
  signal: BodySignal,
  kind: string,
  itemsKey: string,
  items: readonly T[],
  writeItem: (w: JsonWriter, item: T) => boolean,
): JsonWriter {
  const w = new JsonWriter(signal);
  w.ascii('{"resource' + kind + '":[');
  const g: GroupWriting<T> = { scopesOpen: ',"scope' + kind + '":[', itemsOpen: ',"' + itemsKey + '":[', writeItem };
  writeItems(w, groupByResourceAndScope(items), writeResourceGroup, g, GROUP);
  w.ascii("]}");
  return w;
}

/** What {@link writeRequest} passes down to each resource and scope group. */
interface GroupWriting<T> {
  readonly scopesOpen: string;
  readonly itemsOpen: string;
  readonly writeItem: (w: JsonWriter, item: T) => boolean;
}

// A resource or scope group is taken back silently when none of its items was kept (each of
// those drops was reported); writeItems reports a group or an item that threw while being
// written (an item rejected on purpose, with invalid ids, is reported by its encoder).
const GROUP = "a resource or scope group";

/** One `Resource<Signal>` object; false (taken back) when none of its scopes kept an item. */
function writeResourceGroup<T>(w: JsonWriter, rg: ResourceGroup<T>, g: GroupWriting<T>): boolean {
  w.ascii('{"resource":');
  writeResource(w, rg.resource);
  return groupRest(w, g.scopesOpen, rg.scopes, writeScopeGroup, g, GROUP, rg.resource);
}

/** One `Scope<Signal>` object; false (taken back) when none of its items was kept. */
function writeScopeGroup<T>(w: JsonWriter, sg: ScopeGroup<T>, g: GroupWriting<T>): boolean {
  w.ascii('{"scope":');
  writeScope(w, sg.scope);
  return groupRest(w, g.itemsOpen, sg.items, g.writeItem, undefined, "an item", sg.scope);
}

/**
 * The rest of a resource or scope group: its list (`open`, the items, `]`), then
 * `,"schemaUrl":".."` of `holder` when it has one, and `}`; false, with nothing written,
 * when no item was kept.
 */
function groupRest<T, A>(
  w: JsonWriter,
  open: string,
  items: readonly T[],
  writeItem: (w: JsonWriter, item: T, arg: A) => boolean,
  arg: A,
  what: string,
  holder: { readonly schemaUrl?: string } | undefined,
): boolean {
  const mark = w.pos;
  writeList(w, open, items, writeItem, arg, what);
  if (w.pos === mark) return false;
  let url: unknown;
  try {
    url = holder?.schemaUrl;
  } catch {
    // an unreadable schemaUrl is left out
  }
  stringField(w, ',"schemaUrl":', url);
  w.byte(0x7d);
  return true;
}
