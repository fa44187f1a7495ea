import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `condition` holds. The bound only stops a broken test from hanging; it is never a
 * timing assertion.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await sleep(10);
  }
}

/** Retries `work` until it resolves (clients reconnect on their own schedule); its last error otherwise. */
export async function eventually<T>(work: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}

export interface Timed<T> {
  /** The value, when `work` resolved. */
  value?: T;
  /** The rejection reason, when `work` rejected. */
  error?: unknown;
  /** Milliseconds until it settled. */
  elapsed: number;
}

/** How `work` settled and how long it took, for "never waits past its deadline" checks. */
export async function timed<T>(work: Promise<T>): Promise<Timed<T>> {
  const started = Date.now();
  try {
    const value = await work;
    return { value, elapsed: Date.now() - started };
  } catch (error) {
    return { error, elapsed: Date.now() - started };
  }
}

/** The rejection reason of `promise`; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}
