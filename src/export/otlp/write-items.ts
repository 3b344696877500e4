/**
 * The list loop every OTLP encoder shares: items written comma-separated, and an item that
 * cannot be encoded taken back rather than failing the whole request (a receiver rejects the
 * entire body for one malformed item, and recording never throws).
 */
import { diagOnce } from "../../common/diag.ts";
import type { JsonWriter } from "./json-writer.ts";

/**
 * Writes `items` comma-separated through `writeItem` (called with `arg`, so callers need no
 * closure per list), rewinding past each item it rejects (returns false) or that throws, and
 * returns how many were taken back; `onDrop` hears of each (`threw` says whether it threw), or,
 * when it names the items ("a span event"), an item that threw is reported once (items a
 * writer rejects on purpose, such as invalid ids, are reported by that writer).
 * Writes no brackets: when every item was taken back, nothing was written.
 */
export function writeItems<T, A>(
  w: JsonWriter,
  items: readonly T[],
  writeItem: (w: JsonWriter, item: T, arg: A) => boolean,
  arg: A,
  onDrop: ((threw: boolean) => void) | string,
): number {
  const start = w.pos;
  let dropped = 0;
  for (let i = 0; i < items.length; i++) {
    const mark = w.pos;
    if (mark !== start) w.byte(0x2c);
    let kept = false;
    let threw = false;
    try {
      kept = writeItem(w, items[i]!, arg);
    } catch {
      threw = true;
    }
    if (!kept) {
      w.pos = mark;
      dropped++;
      if (typeof onDrop !== "string") onDrop(threw);
      else if (threw) diagOnce("warn", `OTLP encoder: dropped ${onDrop} that could not be read.`);
    }
  }
  return dropped;
}

/**
 * `open` (a fragment such as `,"events":[`), the items as {@link writeItems} writes them, and
 * `]`; nothing at all when no item is kept (an empty list is the proto3 default, omitted).
 * Returns how many items were taken back.
 */
export function writeList<T, A>(
  w: JsonWriter,
  open: Uint8Array,
  items: readonly T[],
  writeItem: (w: JsonWriter, item: T, arg: A) => boolean,
  arg: A,
  onDrop: ((threw: boolean) => void) | string,
): number {
  const listMark = w.pos;
  w.bytes(open);
  const start = w.pos;
  const dropped = writeItems(w, items, writeItem, arg, onDrop);
  if (w.pos === start) w.pos = listMark;
  else w.byte(0x5d);
  return dropped;
}
