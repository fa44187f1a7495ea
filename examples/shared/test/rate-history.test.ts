import { RateHistory } from '../src/rate-history';

describe('RateHistory', () => {
  let totals: Record<string, number>;
  let now: number;
  let history: RateHistory;

  beforeEach(() => {
    totals = { hits: 0, misses: 0 };
    now = 1_000_000;
    // An interval no test reaches: the test takes every sample itself.
    history = new RateHistory(() => ({ ...totals }), { samples: 4, intervalMs: 3_600_000, now: () => now });
  });
  afterEach(() => history.close());

  function tick(ms: number, change: Record<string, number>): void {
    now += ms;
    for (const [name, add] of Object.entries(change)) totals[name] = (totals[name] ?? 0) + add;
    history.sample();
  }

  it('keeps each counter as a rate per second, oldest first, zeros before the first samples', () => {
    expect(history.snapshot()).toEqual({ intervalMs: 3_600_000, rates: {} });
    tick(1000, { hits: 3 });
    tick(1000, { hits: 1, misses: 2 });
    expect(history.snapshot().rates).toEqual({ hits: [0, 0, 3, 1], misses: [0, 0, 0, 2] });
  });

  it('divides by the time since the previous sample (a late timer does not inflate the rate)', () => {
    tick(2000, { hits: 3 });
    tick(500, { misses: 1 });
    expect(history.snapshot().rates).toEqual({ hits: [0, 0, 1.5, 0], misses: [0, 0, 0, 2] });
  });

  it('forgets the oldest sample when the ring is full, and reads a counter that went down as 0', () => {
    for (let i = 1; i <= 5; i++) tick(1000, { hits: i });
    expect(history.snapshot().rates.hits).toEqual([2, 3, 4, 5]);
    tick(1000, { hits: -100 });
    expect(history.snapshot().rates.hits).toEqual([3, 4, 5, 0]);
  });
});
