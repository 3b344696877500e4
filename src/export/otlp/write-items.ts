/**
 * The list loop every OTLP encoder shares: items written comma-separated, and an item that
 * cannot be encoded taken back rather than failing the whole request (a receiver rejects the
 * entire body for one malformed item, and recording never throws).
 */
import { diagOnce } from "../../common/diag.ts";
import type { JsonWriter } from "./json-writer.ts";

/**
 * Reports once, through `diag`, what an OTLP encoder left out of a request ("a span event
 * that …"); `key` when the text varies but should be reported once (it names an attribute).
 */
export function dropped(what: string, key?: string): void {
  const message = `OTLP encoder: dropped ${what}.`;
  diagOnce("warn", key ?? message, message);
}

/**
 * Writes `items` comma-separated through `writeItem` (called with `arg`, so callers need no
 * closure per list), rewinding past each item it rejects (returns false) or that throws, and
 * returns how many were taken back. An item that threw is reported once when `what` names the
 * items ("a span event"); items a writer rejects on purpose, such as invalid ids, are reported
 * by that writer or by the caller. Writes no brackets: when every item was taken back, nothing
 * was written.
 */
export function writeItems<T, A>(
  w: JsonWriter,
  items: readonly T[],
  writeItem: (w: JsonWriter, item: T, arg: A) => boolean,
  arg: A,
  what?: string,
): number {
  const start = w.pos;
  let count = 0;
  for (let i = 0; i < items.length; i++) {
    const mark = w.pos;
    if (mark !== start) w.byte(0x2c);
    let kept = false;
    try {
      kept = writeItem(w, items[i]!, arg);
    } catch {
      if (what !== undefined) dropped(what + " that could not be read");
    }
    if (!kept) {
      w.pos = mark;
      count++;
    }
  }
  return count;
}

/**
 * `open` (such as `,"events":[`), the items as {@link writeItems} writes them, and
 * `]`; nothing at all when no item is kept (an empty list is the proto3 default, omitted).
 * Returns how many items were taken back.
 */
export function writeList<T, A>(
  w: JsonWriter,
  open: string,
  items: readonly T[],
  writeItem: (w: JsonWriter, item: T, arg: A) => boolean,
  arg: A,
  what?: string,
): number {
  const listMark = w.pos;
  w.ascii(open);
  const start = w.pos;
  const count = writeItems(w, items, writeItem, arg, what);
  if (w.pos === start) w.pos = listMark;
  else w.byte(0x5d);
  return count;
}
