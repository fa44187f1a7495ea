import { type AsyncHook, createHook } from 'node:async_hooks';
import { setImmediate } from 'node:timers/promises';

/** What `timersMadeBy` saw: the setup's value and the ids of its timers not yet fired nor cleared. */
export interface TimersMade<T> {
  value: T;
  live: Set<number>;
}

/**
 * Watches the timers a setup makes (registers jest hooks, so call it at the top level of a file or
 * describe). The returned `timersMadeBy(setup)` records every timer made while `setup` runs, unref'd
 * ones too (which process.getActiveResourcesInfo() omits), and keeps `live` current as they fire or
 * are cleared, until the test ends.
 */
export function useTimerWatch(): <T>(setup: () => T | Promise<T>) => Promise<TimersMade<T>> {
  const hooks: AsyncHook[] = [];
  afterEach(() => {
    for (const hook of hooks.splice(0)) hook.disable();
  });
  return async (setup) => {
    const live = new Set<number>();
    let recording = true;
    const hook = createHook({
      init: (id, type) => {
        if (recording && type === 'Timeout') live.add(id);
      },
      destroy: (id) => void live.delete(id),
    }).enable();
    hooks.push(hook);
    const value = await setup();
    recording = false;
    // Timers cleared during setup are reported destroyed by the next turn.
    await setImmediate();
    return { value, live };
  };
}
