import type { LoadContext, ResponseEngine, WrapResult } from './engine-port';

/** This request's loader is running: the engine waits for the value `settle` gives it. */
export interface LoadingFlight {
  readonly kind: 'loading';
  /** The engine's context of this load: the previous value, setOptions, skip. */
  readonly context: LoadContext;
  /**
   * Ends the load with what `value` resolves to (a rejection is a failed load, which stale-if-error
   * may answer); resolves with the engine's answer, or undefined when it failed.
   */
  settle(value: Promise<Buffer>): Promise<WrapResult<Buffer> | undefined>;
}

/** How one engine lookup went for a request. */
export type Flight =
  /** A stored value (fresh or stale), or what another caller's loader loaded. */
  | { readonly kind: 'answered'; readonly result: WrapResult<Buffer> }
  /** The engine failed before a loader ran for this request. */
  | { readonly kind: 'failed' }
  | LoadingFlight;

/**
 * One engine lookup of `key`, as an object the request holds rather than a callback it is called
 * in. The engine's single flight takes a loader and calls it while the flight holds the key, but
 * this loader's value is the handler's response, which the framework produces after the lookup has
 * answered the adapter. So the loader hands its completion out as the flight's `settle`, in this
 * file only; everything else reads from the request to the store and back. Background refreshes
 * need no client: `refresh` loads them on its own.
 */
export function openFlight(
  engine: ResponseEngine,
  key: string,
  tags: readonly string[],
  refresh: (context: LoadContext) => Promise<Buffer>,
): Promise<Flight> {
  return new Promise((open) => {
    const loaded = engine.wrapWithStatus<Buffer>(
      key,
      (context) => {
        if (context.refreshing) return refresh(context);
        return new Promise<Buffer>((resolve) => {
          open({
            kind: 'loading',
            context,
            settle: (value) => {
              resolve(value);
              return settled;
            },
          });
        });
      },
      { tags },
    );
    const settled = loaded.catch(() => undefined);
    // When the loader ran, the flight is open already and these change nothing.
    loaded.then(
      (result) => open({ kind: 'answered', result }),
      () => open({ kind: 'failed' }),
    );
  });
}
