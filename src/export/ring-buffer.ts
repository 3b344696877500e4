/**
 * A fixed-capacity FIFO queue for telemetry waiting to be exported.
 *
 * DESIGN principle 4 ("bounded everything"): the queue never grows past its capacity,
 * so memory stays flat while a collector is down. When full, the NEWEST item is dropped
 * and counted (the OTel SDK spec's batching processor drops new spans once
 * `maxQueueSize` is reached), because the oldest items are already closest to export.
 *
 * Indices wrap with a modulo rather than power-of-two masking so the capacity is
 * exactly what the user configured (`OTEL_BSP_MAX_QUEUE_SIZE=2000` means 2000).
 */

/** A bounded FIFO queue with O(1) push/shift that drops (and counts) items when full. */
export class RingBuffer<T> {
  /** How many items the buffer holds at most. */
  readonly capacity: number;
  readonly #slots: Array<T | undefined>;
  #head = 0; // index of the oldest item
  #count = 0;
  #droppedCount = 0;

  /**
   * @param capacity maximum number of queued items; a positive integer.
   * @throws RangeError when `capacity` is not a positive safe integer.
   */
  constructor(capacity: number) {
    this.capacity = positiveInteger(capacity, "Cannot create RingBuffer: capacity");
    this.#slots = new Array<T | undefined>(capacity);
  }

  /** Number of items currently queued. */
  get size(): number {
    return this.#count;
  }

  /** Number of items refused because the buffer was full, since creation. */
  get dropped(): number {
    return this.#droppedCount;
  }

  /** Appends `item`; returns false (and counts a drop) when the buffer is full. */
  push(item: T): boolean {
    if (this.#count === this.capacity) {
      this.#droppedCount++;
      return false;
    }
    this.#slots[(this.#head + this.#count) % this.capacity] = item;
    this.#count++;
    return true;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#count === 0) return undefined;
    const item = this.#slots[this.#head];
    // Release the slot so the garbage collector can free the item.
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#count--;
    return item;
  }

  /** Removes and returns up to `max` of the oldest items, oldest first. */
  drain(max: number = Infinity): T[] {
    // NaN or negative `max` drains nothing rather than throwing from `new Array(NaN)`.
    const n = max > 0 ? Math.min(this.#count, Math.floor(max)) : 0;
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.shift() as T;
    return out;
  }

  /** Removes every queued item (they are not counted as dropped). */
  clear(): void {
    this.drain();
  }
}

/** `n` when it is a positive safe integer; else a RangeError "`what` must be a positive integer, got …". */
export function positiveInteger(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer, got ${String(n)}`);
  return n;
}
