import type { Backend, FailureEvent, RediwareError, Subscription } from '@rediware/core';

/** A waiter's view of release messages on the channels of the keys it waits for. */
export interface ReleaseWaiter {
  /**
   * Resolves when a release message arrived since the last call, or after `fallbackMs`, whichever
   * is first. Rejects with the signal's reason when it aborts.
   */
  next(fallbackMs: number, signal: AbortSignal): Promise<void>;
  close(): void;
}

interface Channel {
  readonly listeners: Set<() => void>;
  /** Undefined once subscribing failed: waiters then rely on the fallback retry alone. */
  readonly subscription: Promise<Subscription | undefined>;
}

/**
 * One subscription per channel per process, shared by every waiter of that key here, so a crowd
 * of waiters costs one SUBSCRIBE, not one each. The last waiter to leave unsubscribes.
 */
export class ReleaseWatcher {
  readonly #backend: Backend;
  readonly #onFailure: (event: FailureEvent) => void;
  readonly #channels = new Map<string, Channel>();

  constructor(backend: Backend, onFailure: (event: FailureEvent) => void) {
    this.#backend = backend;
    this.#onFailure = onFailure;
  }

  /** Resolves once every channel is subscribed (or failed to), so no later release is missed. */
  async watch(channels: readonly string[]): Promise<ReleaseWaiter> {
    let notified = false;
    let wake: (() => void) | undefined;
    const listener = (): void => {
      notified = true;
      wake?.();
    };
    await Promise.all(channels.map((name) => this.#join(name, listener).subscription));
    return {
      next: (fallbackMs, signal) => {
        if (notified) {
          notified = false;
          return Promise.resolve();
        }
        return new Promise<void>((resolve, reject) => {
          const done = (): void => {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            wake = undefined;
            notified = false;
            resolve();
          };
          const onAbort = (): void => {
            clearTimeout(timer);
            wake = undefined;
            reject(signal.reason);
          };
          const timer = setTimeout(done, fallbackMs);
          wake = done;
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        });
      },
      close: () => {
        for (const name of channels) this.#leave(name, listener);
      },
    };
  }

  #join(name: string, listener: () => void): Channel {
    let channel = this.#channels.get(name);
    if (!channel) {
      const listeners = new Set<() => void>();
      const subscription = this.#backend
        .subscribe(name, () => {
          for (const each of listeners) each();
        })
        .catch((error: RediwareError) => {
          // Waiting still works without messages: the fallback retry polls.
          this.#onFailure({ operation: 'subscribe', error, failedOpen: true });
          if (this.#channels.get(name) === channel) this.#channels.delete(name);
          return undefined;
        });
      channel = { listeners, subscription };
      this.#channels.set(name, channel);
    }
    channel.listeners.add(listener);
    return channel;
  }

  #leave(name: string, listener: () => void): void {
    const channel = this.#channels.get(name);
    if (!channel) return;
    channel.listeners.delete(listener);
    if (channel.listeners.size > 0) return;
    this.#channels.delete(name);
    void channel.subscription.then((subscription) =>
      subscription?.unsubscribe().catch((error: RediwareError) => {
        this.#onFailure({ operation: 'unsubscribe', error, failedOpen: true });
      }),
    );
  }

  /** Unsubscribes everything (the backend closes the connection itself). */
  async close(): Promise<void> {
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    await Promise.allSettled(channels.map(async (channel) => (await channel.subscription)?.unsubscribe()));
  }
}
