import { MemoryBackend } from '@rediware/core';
import fc from 'fast-check';
import { algorithmScripts } from '../src/algorithms/algorithm-scripts';
import { decodeReply, policyArgs } from '../src/algorithms/policy';

/**
 * The sliding log against a reference model over random traffic: a request is admitted exactly
 * when fewer than `limit` admissions lie in the window of length `window` that ends at it. So no
 * rolling window ever holds more than `limit`, and no request is turned away below it.
 */
describe('sliding log over random traffic', () => {
  it('admits exactly what an exact rolling window admits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 10, max: 500 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 120 }), cost: fc.integer({ min: 1, max: 3 }) }), {
          maxLength: 80,
        }),
        async (limit, windowMs, requests) => {
          let now = 1_000_000;
          const backend = new MemoryBackend({ clock: () => now, maxEntries: 100, sweepIntervalMs: 60_000 });
          const policy = { limit: Math.max(limit, 3), windowMs, burst: Math.max(limit, 3) };
          const admitted: number[] = [];
          for (const { gap, cost } of requests) {
            now += gap;
            const reply = await backend.run(
              algorithmScripts['sliding-log'],
              ['rw:rl:{p}:log'],
              policyArgs('consume', cost, [policy]),
            );
            const [decision] = decodeReply(reply, 1);
            const inWindow = admitted.filter((at) => at > now - windowMs).length;
            expect(decision?.allowed).toBe(inWindow + cost <= policy.limit);
            if (decision?.allowed) for (let i = 0; i < cost; i++) admitted.push(now);
            expect(admitted.filter((at) => at > now - windowMs).length).toBeLessThanOrEqual(policy.limit);
          }
          await backend.close();
        },
      ),
      { numRuns: 200 },
    );
  });
});
