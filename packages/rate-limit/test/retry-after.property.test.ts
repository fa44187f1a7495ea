import { MemoryBackend } from '@rediware/core';
import fc from 'fast-check';
import type { Algorithm } from '../src';
import { algorithmScripts } from '../src/algorithms/algorithm-scripts';
import { decodeReply, type Policy, policyArgs } from '../src/algorithms/policy';
import { rateLimitHeaders } from '../src/rate-limit-headers';
import type { RateLimitResult } from '../src/rate-limiter';

const algorithms: Algorithm[] = ['fixed-window', 'sliding-window', 'sliding-log', 'token-bucket'];

const header = (headers: Array<[string, string]>, name: string) => headers.find(([key]) => key === name)?.[1];

describe('rejection headers say when a request will be admitted', () => {
  it('t, reset, RateLimit-Reset and X-RateLimit-Reset agree with Retry-After on a rejection; an admission keeps the quota reset', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (allowed, resetMs, retryAfterMs) => {
          const result: RateLimitResult = {
            allowed,
            limit: 10,
            remaining: allowed ? 3 : 0,
            resetMs,
            retryAfterMs: allowed ? 0 : retryAfterMs,
            windowMs: 60_000,
          };
          const policies: Policy[] = [{ limit: 10, windowMs: 60_000, burst: 10 }];
          const draft8 = rateLimitHeaders(result, 'draft-8', 'p', policies);
          const draft7 = rateLimitHeaders(result, 'draft-7', 'p', policies);
          const draft6 = rateLimitHeaders(result, 'draft-6', 'p', policies);
          const legacy = rateLimitHeaders(result, 'legacy', 'p', policies);
          const t = Number(/;t=(\d+)$/.exec(header(draft8, 'RateLimit') ?? '')?.[1]);
          const reset = Number(/reset=(\d+)$/.exec(header(draft7, 'RateLimit') ?? '')?.[1]);
          const resetS = Number(header(legacy, 'X-RateLimit-Reset'));
          expect(header(draft6, 'RateLimit-Reset')).toBe(String(resetS));
          expect(header(draft6, 'RateLimit-Limit')).toBe('10');
          expect(header(draft6, 'RateLimit-Remaining')).toBe(String(result.remaining));
          expect(header(draft6, 'RateLimit-Policy')).toBe('10;w=60');
          if (allowed) {
            expect(header(draft8, 'Retry-After')).toBeUndefined();
            expect(t).toBe(Math.ceil(resetMs / 1000));
            expect(reset).toBe(t);
            expect(resetS).toBe(t);
            return;
          }
          const retryAfterS = Number(header(draft8, 'Retry-After'));
          expect(retryAfterS).toBe(Math.max(1, Math.ceil(retryAfterMs / 1000)));
          for (const headers of [draft7, draft6, legacy])
            expect(header(headers, 'Retry-After')).toBe(String(retryAfterS));
          expect(t).toBe(retryAfterS);
          expect(reset).toBe(retryAfterS);
          expect(resetS).toBe(retryAfterS);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each(algorithms)(
    '%s: over random traffic, a client rejected and waiting t (or retryAfterMs) is admitted',
    async (algorithm) => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 10, max: 5_000 }),
          fc.integer({ min: 0, max: 4 }),
          fc.array(
            fc.record({
              gap: fc.integer({ min: 0, max: 3_000 }),
              cost: fc.integer({ min: 1, max: 6 }),
              waitsHeader: fc.boolean(),
            }),
            { maxLength: 60 },
          ),
          async (limit, windowMs, extraBurst, requests) => {
            let now = 1_000_000_000;
            const backend = new MemoryBackend({ clock: () => now, maxEntries: 100, sweepIntervalMs: 60_000 });
            const burst = algorithm === 'token-bucket' ? limit + extraBurst : limit;
            const policy: Policy = { limit, windowMs, burst };
            const consume = async (cost: number): Promise<RateLimitResult> => {
              const reply = await backend.run(
                algorithmScripts[algorithm],
                ['rw:rl:{p}:0'],
                policyArgs('consume', cost, [policy]),
              );
              const [decision] = decodeReply(reply, 1);
              if (!decision) throw new Error('no decision');
              return { ...decision, limit, windowMs };
            };
            for (const { gap, cost: wanted, waitsHeader } of requests) {
              const cost = Math.min(wanted, limit);
              now += gap;
              const result = await consume(cost);
              if (result.allowed) continue;
              const t = Number(
                /;t=(\d+)$/.exec(
                  header(rateLimitHeaders(result, 'draft-8', 'p', [policy]), 'RateLimit') ?? '',
                )?.[1],
              );
              now += waitsHeader ? t * 1000 : result.retryAfterMs;
              expect(await consume(cost)).toMatchObject({ allowed: true });
            }
            await backend.close();
          },
        ),
        { numRuns: 300 },
      );
    },
  );
});
