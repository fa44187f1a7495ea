/** An item of an IndexedSet: its place in the set's array, -1 when it is in none. */
export interface Indexed {
  setIndex: number;
}

/**
 * A set of objects that carry their own index, for a long-lived set that every request adds to
 * and deletes from (the locks a locker holds). An array with swap-remove instead of a Set: V8
 * rehashes a Set's table into a new one every few hundred adds and deletes, and leaves the old
 * table pointing to the new one with its entries in it. Once one table has been promoted to the
 * old generation, each discarded table keeps the next alive through every young-generation
 * collection, with everything its entries reach (a held lock reaches its whole request), until a
 * full collection: a Fastify lock route lost a quarter of its throughput to that in about half its
 * processes (bench/README.md). An item belongs to one IndexedSet at a time.
 */
export class IndexedSet<T extends Indexed> {
  readonly #items: T[] = [];

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
