import { setTimeout as sleep } from 'node:timers/promises';
import { type RedisTarget, useRedisTargets, waitFor } from '@rediware/testing';
import { createCache } from '../../src';
import { useCaches } from '../helpers/open-caches';

const targets = useRedisTargets();

describe.each(targets)('refreshAhead on $name', (target: RedisTarget) => {
  const cache = useCaches(target);

  it.each([
    ['without L1', false],
    ['with L1', true],
  ])('%s: past the point, reads hit and one background load refreshes the entry', async (_, l1) => {
    const c = cache({ ttl: 1_500, refreshAhead: 0.3, l1 });
    await c.ready();
    let version = 1;
    let calls = 0;
    const loader = async () => {
      calls++;
      await sleep(50);
      return `v${version}`;
    };
    expect(await c.wrap('k', loader)).toBe('v1');
    version = 2;
    // Before the point: a plain hit, no load.
    expect(await c.wrapWithStatus('k', loader)).toMatchObject({ value: 'v1', status: 'hit' });
    expect(calls).toBe(1);
    await sleep(500);
    const reads = await Promise.all(Array.from({ length: 20 }, () => c.wrapWithStatus('k', loader)));
    expect(reads.every((read) => read.value === 'v1' && read.status === 'hit')).toBe(true);
    await waitFor(async () => (await c.get('k')) === 'v2');
    expect(calls).toBe(2);
  });

  it('rejects a refreshAhead that is not a fraction', () => {
    expect(() => createCache({ ttl: '1m', refreshAhead: 1 })).toThrow(/refreshAhead/);
    expect(() => createCache({ ttl: '1m', refreshAhead: 0 })).toThrow(/refreshAhead/);
  });
});
