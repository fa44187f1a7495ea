/** A separate OS process that consumes from a shared limiter when told to, and reports its admissions. */
import { Redis } from 'ioredis';
import type { Algorithm } from '../../src';
import { createRateLimiter } from '../../src';

const [url, algorithm, limit, requests] = process.argv.slice(2) as [string, Algorithm, string, string];
const redis = new Redis(url);
const limiter = createRateLimiter({
  redis,
  algorithm,
  limit: Number(limit),
  window: '1h',
  prefix: 'rwproc:',
});

process.on('message', async (message) => {
  if (message !== 'go') return;
  const results = await Promise.all(
    Array.from({ length: Number(requests) }, () => limiter.consume('shared')),
  );
  process.send?.({ admitted: results.filter((result) => result.allowed).length });
  await limiter.close();
  redis.disconnect();
  process.disconnect();
});
process.send?.('ready');
