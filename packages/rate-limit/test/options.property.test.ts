import { RediwareConfigError, RediwareError } from '@rediware/core';
import fc from 'fast-check';
import { createRateLimiter } from '../src';
import { rateLimit } from '../src/express';

const anyValue = fc.oneof(
  fc.anything(),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom('1m', '0s', '-1s', 'fixed-window', 'sliding-log', 'draft-7', 'x{y}', ''),
);

describe('bad input never crashes the limiter', () => {
  it('any option object either builds a limiter or throws a config error naming an option', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            limit: anyValue,
            window: anyValue,
            algorithm: anyValue,
            burst: anyValue,
            policies: anyValue,
            name: anyValue,
            prefix: anyValue,
            timeout: anyValue,
            failOpen: anyValue,
            blockCache: anyValue,
            headers: anyValue,
            statusCode: anyValue,
            ipv6Subnet: anyValue,
          },
          { requiredKeys: [] },
        ),
        (options) => {
          try {
            rateLimit(options as never);
          } catch (error) {
            expect(error).toBeInstanceOf(RediwareConfigError);
            expect((error as RediwareConfigError).message).toMatch(/^Invalid option `[^`]+`/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any key and cost either decides or throws a RediwareError', async () => {
    const limiter = createRateLimiter({ limit: 5, window: '1m', algorithm: 'token-bucket' });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom('*', '?', '[a]', '{x}', '\0', ''),
        ),
        fc.oneof(fc.double(), fc.integer(), fc.constant(undefined)),
        async (key, cost) => {
          try {
            const result = await limiter.consume(key, cost);
            expect(typeof result.allowed).toBe('boolean');
          } catch (error) {
            expect(error).toBeInstanceOf(RediwareError);
          }
        },
      ),
      { numRuns: 300 },
    );
    await limiter.close();
  });
});
