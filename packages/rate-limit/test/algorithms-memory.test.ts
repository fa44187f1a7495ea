import { MemoryBackend } from '@rediware/core';
import { algorithmScripts } from '../src/algorithms/algorithm-scripts';
import {
  decodeReply,
  type Policy,
  type PolicyDecision,
  policyArgs,
  type ScriptMode,
} from '../src/algorithms/policy';

/** Exact arithmetic at window boundaries, on the memory backend where the clock is ours to move. */
describe('limiter scripts with a controlled clock', () => {
  let now = 1_000_000;
  let backend: MemoryBackend;
  beforeEach(() => {
    now = 1_000_000;
    backend = new MemoryBackend({ clock: () => now, maxEntries: 1000, sweepIntervalMs: 60_000 });
  });
  afterEach(() => backend.close());

  async function run(
    algorithm: keyof typeof algorithmScripts,
    mode: ScriptMode,
    policies: Policy[],
    cost = 1,
  ): Promise<PolicyDecision[]> {
    const keys = policies.map((_, i) => `rw:rl:{k}:${i}`);
    const reply = await backend.run(algorithmScripts[algorithm], keys, policyArgs(mode, cost, policies));
    return decodeReply(reply, policies.length);
  }
  const consume = (algorithm: keyof typeof algorithmScripts, policy: Policy, cost = 1) =>
    run(algorithm, 'consume', [policy], cost).then(([decision]) => decision as PolicyDecision);

  describe('fixed-window', () => {
    const policy = { limit: 3, windowMs: 1000, burst: 3 };

    it('admits exactly limit per aligned window, then resets at the boundary', async () => {
      now = 5_000_250;
      expect(await consume('fixed-window', policy)).toEqual({
        allowed: true,
        remaining: 2,
        resetMs: 750,
        retryAfterMs: 0,
      });
      await consume('fixed-window', policy);
      await consume('fixed-window', policy);
      expect(await consume('fixed-window', policy)).toEqual({
        allowed: false,
        remaining: 0,
        resetMs: 750,
        retryAfterMs: 750,
      });
      now = 5_000_999;
      expect((await consume('fixed-window', policy)).allowed).toBe(false);
      now = 5_001_000;
      expect(await consume('fixed-window', policy)).toEqual({
        allowed: true,
        remaining: 2,
        resetMs: 1000,
        retryAfterMs: 0,
      });
    });

    it('counts cost, and a rejected cost takes nothing', async () => {
      now = 7_000_000;
      expect((await consume('fixed-window', policy, 2)).remaining).toBe(1);
      expect(await consume('fixed-window', policy, 2)).toMatchObject({ allowed: false, remaining: 1 });
      expect(await consume('fixed-window', policy, 1)).toMatchObject({ allowed: true, remaining: 0 });
    });
  });

  describe('sliding-window', () => {
    const policy = { limit: 10, windowMs: 1000, burst: 10 };

    it('weights the previous window by its overlap', async () => {
      now = 10_000_000;
      for (let i = 0; i < 10; i++) await consume('sliding-window', policy);
      expect((await consume('sliding-window', policy)).allowed).toBe(false);
      // 30% into the next window, 70% of the previous 10 still count: 7, so 3 fit.
      now = 10_001_300;
      expect(await consume('sliding-window', policy)).toMatchObject({ allowed: true, remaining: 2 });
      await consume('sliding-window', policy);
      await consume('sliding-window', policy);
      const rejected = await consume('sliding-window', policy);
      expect(rejected.allowed).toBe(false);
      // 7 + 3 = 10: room for one more once the previous weight drops below 6, i.e. at 40% + 1 ms.
      expect(rejected.retryAfterMs).toBe(101);
      now += rejected.retryAfterMs;
      expect((await consume('sliding-window', policy)).allowed).toBe(true);
    });

    it('never admits more than limit inside one aligned window', async () => {
      now = 20_000_000;
      let admitted = 0;
      for (let t = 0; t < 1000; t += 7) {
        now = 20_000_000 + t;
        if ((await consume('sliding-window', policy)).allowed) admitted++;
      }
      expect(admitted).toBe(10);
    });

    it('retryAfterMs is exact when the current window alone is full', async () => {
      now = 30_000_000;
      for (let i = 0; i < 10; i++) await consume('sliding-window', policy);
      const rejected = await consume('sliding-window', policy);
      // Next window: the previous 10 must weigh at most 9: 10% into it, plus 1 ms.
      expect(rejected.retryAfterMs).toBe(1000 + 100 + 1);
      now += rejected.retryAfterMs - 2;
      expect((await consume('sliding-window', policy)).allowed).toBe(false);
      now += 2;
      expect((await consume('sliding-window', policy)).allowed).toBe(true);
    });
  });

  describe('sliding-log', () => {
    const policy = { limit: 3, windowMs: 1000, burst: 3 };

    it('is exact over every window ending at any instant, and retryAfterMs is exact', async () => {
      now = 40_000_000;
      expect(await consume('sliding-log', policy)).toEqual({
        allowed: true,
        remaining: 2,
        resetMs: 1000,
        retryAfterMs: 0,
      });
      now += 400;
      await consume('sliding-log', policy);
      now += 400;
      await consume('sliding-log', policy);
      now += 199;
      // 999 ms after the first: all three are inside the window; the first leaves at 1000.
      expect(await consume('sliding-log', policy)).toEqual({
        allowed: false,
        remaining: 0,
        resetMs: 801,
        retryAfterMs: 1,
      });
      now += 1;
      expect((await consume('sliding-log', policy)).allowed).toBe(true);
      expect((await consume('sliding-log', policy)).allowed).toBe(false);
    });

    it('logs only admitted requests, so retrying while blocked does not extend the block', async () => {
      now = 50_000_000;
      for (let i = 0; i < 3; i++) await consume('sliding-log', policy);
      for (let t = 0; t < 990; t += 10) {
        now += 10;
        expect((await consume('sliding-log', policy)).allowed).toBe(false);
      }
      now = 50_001_000;
      expect((await consume('sliding-log', policy)).allowed).toBe(true);
    });

    it('counts cost as that many entries, and the retry time waits for enough of them to leave', async () => {
      now = 60_000_000;
      await consume('sliding-log', policy, 2);
      now += 500;
      await consume('sliding-log', policy, 1);
      const rejected = await consume('sliding-log', policy, 2);
      // Two must leave for a cost of 2 to fit: both of the first request, at 1000 ms.
      expect(rejected).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 500 });
      now += 500;
      expect((await consume('sliding-log', policy, 2)).allowed).toBe(true);
    });
  });

  describe('token-bucket', () => {
    const policy = { limit: 10, windowMs: 1000, burst: 5 };

    it('starts full at burst, refills limit per window continuously, never above burst', async () => {
      for (let i = 0; i < 5; i++) expect((await consume('token-bucket', policy)).allowed).toBe(true);
      const rejected = await consume('token-bucket', policy);
      expect(rejected).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 101 });
      now += 100;
      expect(await consume('token-bucket', policy)).toMatchObject({ allowed: true, remaining: 0 });
      now += 10_000;
      expect(await consume('token-bucket', policy)).toMatchObject({ allowed: true, remaining: 4 });
    });

    it('has no drift over many small refills', async () => {
      const slow = { limit: 3, windowMs: 1000, burst: 3 };
      for (let i = 0; i < 3; i++) await consume('token-bucket', slow);
      let admitted = 0;
      for (let step = 1; step <= 270; step++) {
        now += 37;
        if ((await consume('token-bucket', slow)).allowed) admitted++;
      }
      // 3 tokens per second over 270 * 37 ms = 9.99 s: 29.97 tokens, not one more or less.
      expect(admitted).toBe(29);
    });
  });

  it('several policies: admitted only if all admit, and a rejection writes none of them', async () => {
    const perSecond = { limit: 2, windowMs: 1000, burst: 2 };
    const perHour = { limit: 3, windowMs: 3_600_000, burst: 3 };
    now = 3_600_000 * 100;
    const policies = [perSecond, perHour];
    expect((await run('fixed-window', 'consume', policies)).map((d) => d.allowed)).toEqual([true, true]);
    await run('fixed-window', 'consume', policies);
    expect((await run('fixed-window', 'consume', policies)).map((d) => d.allowed)).toEqual([false, true]);
    expect((await run('fixed-window', 'peek', policies)).map((d) => d.remaining)).toEqual([0, 1]);
    now += 1000;
    expect((await run('fixed-window', 'consume', policies)).map((d) => d.allowed)).toEqual([true, true]);
    expect((await run('fixed-window', 'consume', policies)).map((d) => d.allowed)).toEqual([true, false]);
  });

  it.each(['fixed-window', 'sliding-window', 'token-bucket'] as const)(
    '%s: refund gives back, peek takes nothing',
    async (algorithm) => {
      const policy = { limit: 2, windowMs: 60_000, burst: 2 };
      await consume(algorithm, policy);
      await consume(algorithm, policy);
      expect((await run(algorithm, 'peek', [policy]))[0]?.allowed).toBe(false);
      expect((await run(algorithm, 'refund', [policy]))[0]?.remaining).toBe(1);
      expect((await run(algorithm, 'peek', [policy]))[0]).toMatchObject({ allowed: true, remaining: 1 });
      expect((await consume(algorithm, policy)).allowed).toBe(true);
      expect((await consume(algorithm, policy)).allowed).toBe(false);
    },
  );
});
