import {
  type Address,
  type FaultProxy,
  monitor,
  type RedisServer,
  type RedisTarget,
  redisCommand,
  scriptCalls,
  startFaultProxy,
  startRedis,
  useRedisTargets,
  waitFor,
} from '@rediware/testing';
import { useCaches } from '../helpers/open-caches';
import { type CacheWorker, startWorker } from '../helpers/worker-process';

/*
 * Round trips per operation, counted on a real Redis (INFO commandstats: every engine round trip
 * is one script call), without L1: every hit reads Redis.
 */

const targets = useRedisTargets().filter((target) => target.name !== 'memory');

type Call = (...args: unknown[]) => Promise<unknown>;
interface Calls {
  call: Call;
  callBuffer: Call;
}

/**
 * The round trips a request waits for: the commands `work` makes through an ioredis client (or
 * cluster) in waves, a wave being the commands sent before a reply to any of them arrived (sent
 * together, in parallel, they are one round trip of latency). PUBLISHes count when they name
 * `key` (the bus's liveness probes go out on their own). Its scripts must be loaded already (a
 * NOSCRIPT answer is sent again as EVAL, one more wave).
 */
async function commandWaves(client: Calls, key: string, work: () => Promise<unknown>): Promise<number> {
  const originals = { call: client.call, callBuffer: client.callBuffer };
  let waves = 0;
  let replied = true;
  const counted =
    (original: Call): Call =>
    (...args) => {
      const counts = !/^publish$/i.test(String(args[0])) || args.some((arg) => String(arg).includes(key));
      if (counts && replied) {
        waves += 1;
        replied = false;
      }
      const sent = original.apply(client, args);
      if (counts)
        void sent.then(
          () => (replied = true),
          () => (replied = true),
        );
      return sent;
    };
  client.call = counted(originals.call);
  client.callBuffer = counted(originals.callBuffer);
  try {
    await work();
  } finally {
    Object.assign(client, originals);
  }
  return waves;
}

describe.each(targets)('round trips on $name', (target: RedisTarget) => {
  const cache = useCaches(target);
  const scripts = () => scriptCalls(target.masters());
  // On a cluster the stamps are read on every hit (one more trip each, in their own slots).
  const perHit = target.cluster ? 3 : 1;

  it('an L2 hit of a tagged entry in a namespace costs one round trip while the bus is live (three on a cluster)', async () => {
    const writer = cache();
    const reader = cache();
    expect(await Promise.all([writer.ready(), reader.ready()])).toEqual([true, true]);
    await writer.set('k', 'v', { tags: ['t'], namespace: 'n' });
    // The writer settled the stamps: it knows them. The reader reads them once (one trip each).
    let before = await scripts();
    expect(await writer.get('k', { namespace: 'n' })).toBe('v');
    expect((await scripts()) - before).toBe(perHit);
    before = await scripts();
    expect(await reader.get('k', { namespace: 'n' })).toBe('v');
    expect((await scripts()) - before).toBe(3);
    before = await scripts();
    for (let i = 0; i < 5; i++) {
      expect(await reader.get('k', { namespace: 'n' })).toBe('v');
      const hit = await reader.wrapWithStatus('k', () => 'loaded', { namespace: 'n' });
      expect(hit).toMatchObject({ value: 'v', status: 'hit' });
    }
    expect((await scripts()) - before).toBe(10 * perHit);
  });

  it('a wrap miss costs two round trips: read and lock, then settle, write, release and publish', async () => {
    const c = cache();
    const other = cache({ l1: true });
    expect(await Promise.all([c.ready(), other.ready()])).toEqual([true, true]);
    // On a cluster: the read, the capture and the settle of each stamp in its own slot, the write.
    const perMiss = target.cluster ? 6 : 2;
    for (const key of ['a', 'b']) {
      const before = await scripts();
      const loaded = await c.wrapWithStatus(key, () => `v:${key}`, { tags: ['t'], namespace: 'n' });
      expect(loaded).toMatchObject({ value: `v:${key}`, status: 'miss' });
      expect((await scripts()) - before).toBe(perMiss);
    }
    // Stored with its stamps, and announced: another instance holding it in L1 hears of the change.
    expect(await other.get('a', { namespace: 'n' })).toBe('v:a');
    await c.set('a', 'changed', { tags: ['t'], namespace: 'n' });
    await waitFor(async () => (await other.get('a', { namespace: 'n' })) === 'changed');
    // A miss whose stamp moved while the loader ran stores nothing.
    const racing = await c.wrapWithStatus(
      'c',
      async () => {
        await c.invalidate({ tags: ['t'] });
        return 'old';
      },
      { tags: ['t'], namespace: 'n' },
    );
    expect(racing).toMatchObject({ value: 'old', status: 'miss' });
    expect(await c.get('c', { namespace: 'n' })).toBeUndefined();
  });

  it('a getMany of tagged entries costs one round trip once their stamps are known, and sees an invalidation', async () => {
    const writer = cache();
    const reader = cache();
    expect(await Promise.all([writer.ready(), reader.ready()])).toEqual([true, true]);
    await writer.set('a', 'A', { tags: ['t'], namespace: 'n' });
    await writer.set('b', 'B', { tags: ['u'], namespace: 'n' });
    // The reader reads the stamps once: one round trip for the entries, then one for the stamps.
    let before = await scripts();
    expect(await reader.getMany(['a', 'b'], { namespace: 'n' })).toEqual(['A', 'B']);
    const first = (await scripts()) - before;
    before = await scripts();
    expect(await reader.getMany(['a', 'b'], { namespace: 'n' })).toEqual(['A', 'B']);
    // On a cluster stamps are read on every read (as a single hit's are), each slot on its own.
    expect((await scripts()) - before).toBe(target.cluster ? first : 1);
    await writer.invalidate({ tags: ['t'] });
    await waitFor(async () => (await reader.getMany(['a', 'b'], { namespace: 'n' }))[0] === undefined);
    expect(await reader.getMany(['a', 'b'], { namespace: 'n' })).toEqual([undefined, 'B']);
  });

  (target.cluster ? it.skip : it)(
    'a wrap whose loader keeps its value out sends two commands: read and lock, then release and publish',
    async () => {
      const c = cache();
      expect(await c.ready()).toBe(true);
      // Both scripts loaded first: a script new to the server is sent again as EVAL.
      const skip = (context: { skip(): void }) => {
        context.skip();
        return 'not kept';
      };
      await c.wrap('warm-up', skip);
      let result: unknown;
      const seen = await monitor(target.masters()[0] as Address, async () => {
        result = await c.wrapWithStatus('skipped', skip);
      });
      expect(result).toMatchObject({ value: 'not kept', status: 'miss' });
      // Only the key's commands: the bus's own probes may go out meanwhile.
      const sent = seen.sentLines.filter((line) => line.includes('skipped'));
      expect(sent.map((line) => line.split(' ')[3]?.toLowerCase())).toEqual(['"evalsha"', '"evalsha"']);
      // The release still wakes the waiters of other instances: its PUBLISH runs in the script.
      expect(seen.inScripts).toBeGreaterThan(0);
    },
  );

  (target.name.startsWith('ioredis') ? it : it.skip)(
    'a wrap reads its stamps with its entry and its write publishes: a hit waits for one round trip, a miss for two (three on a cluster)',
    async () => {
      const c = cache();
      expect(await c.ready()).toBe(true);
      const options = { tags: ['t'], namespace: 'n' };
      // Every script loaded where it runs (a cluster's nodes each load their own), then removed.
      await c.wrap('waved', () => 'loaded', options);
      await c.wrap('waved', () => 'loaded', options);
      await c.delete('waved', { namespace: 'n' });
      const client = target.client() as unknown as Calls;
      // A miss: read (the stamps beside the entry on a cluster), settle and write (which publishes).
      const miss = await commandWaves(client, 'waved', () => c.wrap('waved', () => 'v', options));
      expect(miss).toBe(target.cluster ? 3 : 2);
      let hit: unknown;
      const hitWaves = await commandWaves(client, 'waved', async () => {
        hit = await c.wrapWithStatus('waved', () => 'loaded', options);
      });
      expect(hit).toMatchObject({ value: 'v', status: 'hit' });
      expect(hitWaves).toBe(1);
    },
  );

  it('an invalidation by tag or namespace through another instance makes its next read a miss', async () => {
    const writer = cache();
    const reader = cache();
    expect(await Promise.all([writer.ready(), reader.ready()])).toEqual([true, true]);
    for (const [round, change] of [
      [1, () => writer.invalidate({ tags: ['t'] })],
      [2, () => writer.bumpVersion('n')],
    ] as const) {
      await writer.set('k', `v${round}`, { tags: ['t'], namespace: 'n' });
      expect(await reader.get('k', { namespace: 'n' })).toBe(`v${round}`);
      const before = await scripts();
      expect(await reader.get('k', { namespace: 'n' })).toBe(`v${round}`);
      expect((await scripts()) - before).toBe(perHit);
      await change();
      expect(await reader.get('k', { namespace: 'n' })).toBeUndefined();
      expect(await writer.get('k', { namespace: 'n' })).toBeUndefined();
    }
  });
});

describe('remembered stamps across processes', () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  let cut: CacheWorker | undefined;
  let writer: CacheWorker | undefined;

  beforeAll(async () => {
    server = await startRedis();
    proxy = await startFaultProxy(server, { only: 'subscribers' });
  }, 60_000);
  afterAll(async () => {
    await proxy.close();
    await server.stop();
  });
  afterEach(async () => {
    proxy.pass();
    await Promise.all([cut?.stop(), writer?.stop()]);
  });

  const scripts = () => scriptCalls([server]);

  it('an invalidation in one process makes the next read in another a miss', async () => {
    await redisCommand(server, ['FLUSHALL']);
    [cut, writer] = await Promise.all([startWorker(server.url), startWorker(server.url)]);
    await writer.call({ op: 'set', key: 'k', value: 'v1', tags: ['t'] });
    expect(await cut.call({ op: 'get', key: 'k' })).toBe('v1');
    const before = await scripts();
    expect(await cut.call({ op: 'get', key: 'k' })).toBe('v1');
    expect((await scripts()) - before).toBe(1);
    await writer.call({ op: 'invalidate', tags: ['t'] });
    expect(await cut.call({ op: 'get', key: 'k' })).toBeUndefined();
  }, 60_000);

  it('a stamp bumped while the bus was down is not missed after it returns', async () => {
    await redisCommand(server, ['FLUSHALL']);
    [cut, writer] = await Promise.all([startWorker(proxy.url), startWorker(server.url)]);
    await writer.call({ op: 'set', key: 'k', value: 'v1', tags: ['t'] });
    expect(await cut.call({ op: 'get', key: 'k' })).toBe('v1');
    let before = await scripts();
    expect(await cut.call({ op: 'get', key: 'k' })).toBe('v1');
    expect((await scripts()) - before).toBe(1);
    proxy.refuse();
    // The cut process never hears of this invalidation.
    await writer.call({ op: 'invalidate', tags: ['t'] });
    expect(await cut.call({ op: 'get', key: 'k' })).toBeUndefined();
    proxy.pass();
    // Once the bus is back (an entry of another tag is hit in one trip again)...
    await writer.call({ op: 'set', key: 'other', value: 'w', tags: ['u'] });
    await waitFor(async () => {
      const start = await scripts();
      const value = await cut?.call({ op: 'get', key: 'other' });
      return value === 'w' && (await scripts()) - start === 1;
    }, 15_000);
    // ...the entry that recorded the version from before the outage is still a miss: that version,
    // remembered before, was forgotten with the outage and is read again.
    before = await scripts();
    expect(await cut.call({ op: 'get', key: 'k' })).toBeUndefined();
    expect((await scripts()) - before).toBe(2);
  }, 60_000);
});
