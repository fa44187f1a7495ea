/** A wait for news about one key, registered before the read that may decide to wait. */
export interface Expectation {
  /** Resolves on news about the key or after `ms`, whichever is first. */
  wait(ms: number): Promise<void>;
  cancel(): void;
}

/**
 * Wakes callers waiting for another process's loader. An expectation is registered before the
 * read: news that arrives between the read and the wait is kept, not lost.
 */
export class WakeSignals {
  readonly #waiting = new Map<string, Set<() => void>>();

  expect(key: string): Expectation {
    return this.expectAny([key]);
  }

  /** One expectation woken by news about any of `keys` (a batch waiting for several loaders). */
  expectAny(keys: readonly string[]): Expectation {
    let woken = false;
    let resolveWait: (() => void) | undefined;
    const onWake = () => {
      woken = true;
      resolveWait?.();
    };
    for (const key of keys) {
      let set = this.#waiting.get(key);
      if (!set) {
        set = new Set();
        this.#waiting.set(key, set);
      }
      set.add(onWake);
    }
    const cancel = () => {
      for (const key of keys) {
        const listeners = this.#waiting.get(key);
        listeners?.delete(onWake);
        if (listeners?.size === 0) this.#waiting.delete(key);
      }
    };
    return {
      cancel,
      wait: (ms) =>
        new Promise<void>((resolve) => {
          if (woken) {
            cancel();
            resolve();
            return;
          }
          const timer = setTimeout(done, ms);
          function done() {
            clearTimeout(timer);
            cancel();
            resolve();
          }
          resolveWait = done;
        }),
    };
  }

  wake(key: string): void {
    const listeners = this.#waiting.get(key);
    if (!listeners) return;
    this.#waiting.delete(key);
    for (const listener of listeners) listener();
  }

  /** Wakes everyone, e.g. on close. */
  wakeAll(): void {
    for (const key of [...this.#waiting.keys()]) this.wake(key);
  }
}
