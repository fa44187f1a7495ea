/** A Node-style callback as express-session and @fastify/session pass them. */
export type NodeCallback<T> = (error: unknown, value?: T) => void;

/**
 * Hands the outcome of `work` to `callback` exactly once, or returns the promise when there is no
 * callback. The callback runs outside the promise chain: if it throws, that is not mistaken for a
 * failure of `work` (which would call it a second time) nor left as an unhandled rejection; it
 * surfaces on the next tick as an uncaught exception, as a throw in any Node callback does.
 */
export function callbackOrPromise<T>(
  work: Promise<T>,
  callback: NodeCallback<T> | undefined,
): Promise<T> | undefined {
  if (callback === undefined) return work;
  work.then(
    (value) => deliver(() => callback(null, value)),
    (error: unknown) => deliver(() => callback(error)),
  );
  return undefined;
}

function deliver(call: () => void): void {
  try {
    call();
  } catch (error) {
    process.nextTick(() => {
      throw error;
    });
  }
}
