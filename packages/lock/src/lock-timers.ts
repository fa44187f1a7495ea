/** An item of LockTimers: when it is due, and where it sits in the heap (-1 when not scheduled). */
export interface Timed {
  dueAt: number;
  timerIndex: number;
}

/**
 * The timers of every lock one locker holds (expiry and auto-extension), on one Node timer: a
 * min-heap of due times, and one timer armed for the earliest. A released lock leaves the heap
 * without touching the timer; a timer that fires with nothing due re-arms for the next item. So
 * locks that are released before they are due, the common case, cost no timer of their own: a
 * Node timer per lock has to be unref'd (a held lock must not keep the process alive), and that
 * cost a Fastify lock route a fifth of its throughput (bench/README.md).
 */
export class LockTimers<T extends Timed> {
  readonly #heap: T[] = [];
  readonly #onDue: (item: T, now: number) => void;
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Number.POSITIVE_INFINITY;
  readonly #fire = (): void => this.#fireDue();

  /** `onDue` is called once per scheduled item, at or after its due time (unless cancelled). */
  constructor(onDue: (item: T, now: number) => void) {
    this.#onDue = onDue;
  }

  /** Schedules `item` at `dueAt` (ms since the epoch), or moves it there if it is scheduled. */
  schedule(item: T, dueAt: number): void {
    item.dueAt = dueAt;
    if (item.timerIndex < 0) {
      item.timerIndex = this.#heap.length;
      this.#heap.push(item);
    }
    this.#restore(item.timerIndex);
    this.#arm();
  }

  cancel(item: T): void {
    const index = item.timerIndex;
    if (index < 0) return;
    item.timerIndex = -1;
    const last = this.#heap.pop() as T;
    if (last === item) return;
    this.#heap[index] = last;
    last.timerIndex = index;
    this.#restore(index);
  }

  /** Items scheduled now. */
  get size(): number {
    return this.#heap.length;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  #arm(): void {
    const first = this.#heap[0];
    if (first === undefined || first.dueAt >= this.#armedFor) return;
    clearTimeout(this.#timer);
    this.#armedFor = first.dueAt;
    this.#timer = setTimeout(this.#fire, Math.max(0, first.dueAt - Date.now()));
    this.#timer.unref();
  }

  #fireDue(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    // Taken out first: an item that reschedules itself from onDue waits for the next firing.
    const due: T[] = [];
    for (let first = this.#heap[0]; first !== undefined && first.dueAt <= now; first = this.#heap[0]) {
      this.cancel(first);
      due.push(first);
    }
    for (const item of due) this.#onDue(item, now);
    this.#arm();
  }

  /** Moves the item at `index` up or down to its place. */
  #restore(index: number): void {
    const heap = this.#heap;
    const item = heap[index] as T;
    let at = index;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = heap[parentAt] as T;
      if (parent.dueAt <= item.dueAt) break;
      heap[at] = parent;
      parent.timerIndex = at;
      at = parentAt;
    }
    for (;;) {
      const leftAt = 2 * at + 1;
      if (leftAt >= heap.length) break;
      const rightAt = leftAt + 1;
      const childAt =
        rightAt < heap.length && (heap[rightAt] as T).dueAt < (heap[leftAt] as T).dueAt ? rightAt : leftAt;
      const child = heap[childAt] as T;
      if (child.dueAt >= item.dueAt) break;
      heap[at] = child;
      child.timerIndex = at;
      at = childAt;
    }
    heap[at] = item;
    item.timerIndex = at;
  }
}
