import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend, Subscription } from '@rediware/core';

/** A retry's watch on one record, set before it looks at the key so no announcement slips by. */
export interface SettledWatch {
  /** Resolves at once if the record was announced settled since the watch began, else on that or after `ms`; ends the watch. */
  until(ms: number): Promise<void>;
  /** Ends the watch. */
  stop(): void;
}

/**
 * Wakes the retries that wait for a running key as soon as its request completes or gives the key
 * back: the complete and release scripts publish the record's key on the store's channel, and a
 * store subscribes to it once a retry first waits. A waiter still looks again after its pause (the
 * backstop for a message lost with the subscriber connection; a marker that expires with its
 * process, which nobody announces, is looked at again when it expires).
 */
export class SettledWakes {
  readonly #backend: Backend;
  readonly #channel: string;
  readonly #watchers = new Map<string, Set<() => void>>();
  #subscription: Promise<Subscription | undefined> | undefined;

  constructor(backend: Backend, channel: string) {
    this.#backend = backend;
    this.#channel = channel;
  }

  /** Subscribes on first use; false while Redis refuses or fails it (waiters then only poll). */
  async listening(): Promise<boolean> {
    this.#subscription ??= this.#backend
      .subscribe(this.#channel, (record) => this.#wake(record))
      .catch(() => {
        // Tried again by the next waiter.
        this.#subscription = undefined;
        return undefined;
      });
    return (await this.#subscription) !== undefined;
  }

  watch(record: string): SettledWatch {
    const watchers = this.#watchers.get(record) ?? new Set<() => void>();
    this.#watchers.set(record, watchers);
    let woken = false;
    let wake = (): void => {
      woken = true;
    };
    const listener = (): void => wake();
    watchers.add(listener);
    const stop = (): void => {
      watchers.delete(listener);
      if (watchers.size === 0 && this.#watchers.get(record) === watchers) this.#watchers.delete(record);
    };
    return {
      stop,
      until: async (ms) => {
        if (!woken) {
          const controller = new AbortController();
          wake = () => controller.abort();
          await sleep(ms, undefined, { signal: controller.signal }).catch(() => {});
        }
        stop();
      },
    };
  }

  async close(): Promise<void> {
    for (const watchers of this.#watchers.values()) for (const wake of watchers) wake();
    const subscription = await this.#subscription;
    this.#subscription = undefined;
    await subscription?.unsubscribe().catch(() => {});
  }

  #wake(record: string): void {
    for (const wake of [...(this.#watchers.get(record) ?? [])]) wake();
  }
}
