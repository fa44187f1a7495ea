/** What an option callback may return: the value, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** True for a promise or any thenable (an option callback may return either). */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}
