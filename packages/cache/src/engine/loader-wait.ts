import type { Expectation } from './wake-signals';

/** Fallback re-check while waiting for another process's loader, in case a message is lost. */
const recheckMs = 500;

/**
 * The wait rule of `wrap` and `wrapMany` for a key another caller is loading: once subscribed to
 * the bus, until news about the key (`expectation`), else a re-check after about `recheckMs`
 * (jittered, so that waiters do not read in step), never past the `remainingMs` of lockWait.
 */
export async function waitForLoader(
  expectation: Expectation,
  subscribed: Promise<unknown>,
  remainingMs: number,
): Promise<void> {
  await subscribed;
  await expectation.wait(Math.min(remainingMs, recheckMs * (0.8 + Math.random() * 0.4)));
}
