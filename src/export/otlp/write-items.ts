/**
 * The list loop every OTLP encoder shares: items written comma-separated, and an item that
 * cannot be encoded taken back rather than failing the whole request (a receiver rejects the
 * entire body for one malformed item, and recording never throws).
 */
import { diagOnce } from "../../common/diag.ts";
import { ascii, byte, pos, rewind } from "./json-writer.ts";

/**
 * Reports once, through `diag`, what an OTLP encoder left out of a request ("a span event
 * that …"); `key` when the text varies but should be reported once (it names an attribute).
 */
export function dropped(what: string, key?: string): void {
  const message = `OTLP encoder: dropped ${what}.`;
  diagOnce("warn", key ?? message, message);
}

/** {@link dropped} for `what` ("a span event") whose fields could not be read (a getter or proxy trap threw). */
export function unreadable(what: string, key?: string): void {
  dropped(what + " that could not be read", key);
}

/**
 * `open` (such as `,"events":[`), `items` comma-separated through `writeItem` (called with
 * `arg`, so callers need no closure per list) and `]`; nothing at all when no item is kept
 * (an empty list is the proto3 default, omitted). An item `writeItem` rejects (returns false)
 * or that throws is taken back; one that threw is reported once when `what` names the items
 * ("a span event"); items rejected on purpose, such as invalid ids, are reported by the
 * writer or the caller. Returns how many items were taken back.
 */
export function writeList<T, A>(open: string, items: readonly T[], writeItem: (item: T, arg: A) => boolean, arg: A, what?: string): number {
  const listMark = pos;
  ascii(open);
  const start = pos;
  let count = 0;
  for (let i = 0; i < items.length; i++) {
    const mark = pos;
    if (mark !== start) byte(44);
    let kept = false;
    try {
      kept = writeItem(items[i]!, arg);
    } catch {
      if (what) unreadable(what);
    }
    if (!kept) {
      rewind(mark);
      count++;
    }
  }
  if (pos === start) rewind(listMark);
  else byte(93);
  return count;
}
