import fc from 'fast-check';
import { LockTimers, type Timed } from '../src/lock-timers';

interface Item extends Timed {
  id: number;
}

/**
 * LockTimers against a plain model: whatever the schedules, moves and cancels, each item still
 * scheduled fires once, never before its due time and in due order, and a cancelled one never.
 */
describe('lock timers', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('fires each scheduled item once, at its due time, in order; never a cancelled one', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('schedule' as const), id: fc.nat(19), delay: fc.nat(5_000) }),
      fc.record({ kind: fc.constant('cancel' as const), id: fc.nat(19) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.nat(2_000) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        jest.setSystemTime(1_000_000);
        const fired: Array<{ id: number; at: number; dueAt: number }> = [];
        const timers = new LockTimers<Item>((item, now) =>
          fired.push({ id: item.id, at: now, dueAt: item.dueAt }),
        );
        const items = Array.from({ length: 20 }, (_, id): Item => ({ id, dueAt: 0, timerIndex: -1 }));
        /** The model: due time of each item still scheduled. */
        const pending = new Map<number, number>();
        for (const action of steps) {
          if (action.kind === 'schedule') {
            const dueAt = Date.now() + action.delay;
            timers.schedule(items[action.id] as Item, dueAt);
            pending.set(action.id, dueAt);
          } else if (action.kind === 'cancel') {
            timers.cancel(items[action.id] as Item);
            pending.delete(action.id);
          } else {
            const until = Date.now() + action.ms;
            const before = fired.length;
            jest.advanceTimersByTime(action.ms);
            for (const one of fired.slice(before)) {
              expect(one.at).toBeGreaterThanOrEqual(one.dueAt);
              expect(pending.get(one.id)).toBe(one.dueAt);
              pending.delete(one.id);
            }
            // Everything due by now has fired.
            for (const dueAt of pending.values()) expect(dueAt).toBeGreaterThan(until);
          }
          expect(timers.size).toBe(pending.size);
        }
        const before = fired.length;
        jest.advanceTimersByTime(10_000);
        const rest = fired.slice(before);
        expect(rest.map((one) => one.id).sort((a, b) => a - b)).toEqual(
          [...pending.keys()].sort((a, b) => a - b),
        );
        expect(rest.map((one) => one.dueAt)).toEqual([...rest.map((one) => one.dueAt)].sort((a, b) => a - b));
        expect(timers.size).toBe(0);
        timers.close();
      }),
      { numRuns: 300 },
    );
  });

  it('leaves a cancelled first item to fire nothing, and re-arms for the next one', () => {
    const fired: number[] = [];
    const timers = new LockTimers<Item>((item) => fired.push(item.id));
    const first: Item = { id: 1, dueAt: 0, timerIndex: -1 };
    const second: Item = { id: 2, dueAt: 0, timerIndex: -1 };
    timers.schedule(first, Date.now() + 100);
    timers.schedule(second, Date.now() + 300);
    timers.cancel(first);
    jest.advanceTimersByTime(150);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(150);
    expect(fired).toEqual([2]);
    timers.close();
  });
});
