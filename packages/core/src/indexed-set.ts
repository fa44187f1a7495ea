/** An item of an IndexedSet: its place in the set's array, -1 when it is in none. */
export interface Indexed {
  /** The item's place in its set's array; start it at -1. */
  setIndex: number;
}

/**
 * A set of objects that carry their own index, for a long-lived set that every request adds to
 * and deletes from (the locks a locker holds). An array with swap-remove instead of a Set: V8
 * rehashes a Set's table into a new one every few hundred adds and deletes and leaves the old one
 * as it was, entries included. Once the Set's table has reached the old generation, each new table
 * is allocated there too, and every discarded one keeps its entries alive through each
 * young-generation collection until a full collection, with everything they reach (a held lock
 * reaches its whole request): a Fastify lock route lost a quarter of its throughput to that in
 * about half its processes (bench/README.md). An item belongs to one IndexedSet at a time.
 */
export class IndexedSet<T extends Indexed> {
  readonly #items: T[] = [];

  /** The number of items in the set. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds `item` unless it is in the set already. */
  add(item: T): void {
    if (item.setIndex >= 0) return;
    item.setIndex = this.#items.length;
    this.#items.push(item);
  }

  /** Removes `item`; false when it was not in the set. The last item takes its place. */
  delete(item: T): boolean {
    const index = item.setIndex;
    if (index < 0 || this.#items[index] !== item) return false;
    item.setIndex = -1;
    const last = this.#items.pop() as T;
    if (last !== item) {
      this.#items[index] = last;
      last.setIndex = index;
    }
    return true;
  }

  /** A copy of the items, in no particular order: safe to change the set while going through it. */
  values(): T[] {
    return this.#items.slice();
  }
}
