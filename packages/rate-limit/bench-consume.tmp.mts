import { createRateLimiter } from '@rediware/rate-limit';
import { Redis } from 'ioredis';
import { algorithmScripts } from './src/algorithms/algorithm-scripts';

const redis = new Redis('redis://127.0.0.1:6379');
const limiter = createRateLimiter({
  redis,
  limit: 1_000_000_000,
  window: '1h',
  algorithm: 'fixed-window',
  prefix: 'rwprof:',
});
const script = algorithmScripts['fixed-window'];
async function run(label: string, fn: () => Promise<unknown>) {
  const total = 40_000,
    concurrency = 50;
  let i = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i++ < total) await fn();
    }),
  );
  const ms = performance.now() - started;
  console.log(label, Math.round((total / ms) * 1000), 'ops/s');
}
await redis.script('LOAD', script.source);
for (let round = 0; round < 2; round++) {
  await run('raw evalsha', () =>
    redis.evalsha(script.sha, 1, 'rwprof:rl:{k}:x', 'consume', 1, 1000000000, 3600000, 1000000000),
  );
  await run('raw call', () =>
    redis.call(
      'EVALSHA',
      script.sha,
      '1',
      'rwprof:rl:{k}:x',
      'consume',
      '1',
      '1000000000',
      '3600000',
      '1000000000',
    ),
  );
  await run('limiter.consume', () => limiter.consume('k'));
  await run('raw incr', () => redis.incr('rwprof:x'));
}
await limiter.close();
redis.disconnect();
