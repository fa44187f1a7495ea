import { type RedisTarget, redisCommand, useRedisTargets, waitFor } from '@rediware/testing';
import {
  type Cache,
  type CacheEvents,
  createCache,
  type WriteBehindOptions,
  type WriteBehindWorker,
  type WriteBehindWrite,
} from '../../src';

const targets = useRedisTargets();

/** A gate a flush waits on, opened by the test. */
function gate(): { wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** XRANGE of the dead-letter stream, from whichever master holds it. */
async function deadLetters(target: RedisTarget): Promise<unknown[]> {
  for (const master of target.masters()) {
    try {
      return (await redisCommand(master, ['XRANGE', 'rw:cache:{wb0}:dead', '-', '+'])) as unknown[];
    } catch {
      // MOVED: another master owns the slot.
    }
  }
  return [];
}

describe.each(targets)('write-behind on $name', (target: RedisTarget) => {
  const caches: Cache[] = [];
  const workers: WriteBehindWorker[] = [];
  function cache(streams?: number): Cache {
    const created = createCache({
      redis: target.client(),
      ttl: '1m',
      ...(streams === undefined ? {} : { writeBehindStreams: streams }),
    });
    caches.push(created);
    return created;
  }
  function start(c: Cache, options: WriteBehindOptions): WriteBehindWorker {
    const worker = c.startWriteBehind({ maxDelay: 10, ...options });
    workers.push(worker);
    return worker;
  }
  /** A flush that records every batch into `batches` and `database` (key -> value). */
  function recorder() {
    const batches: WriteBehindWrite[][] = [];
    const database = new Map<string, unknown>();
    const flush = async (writes: readonly WriteBehindWrite[]) => {
      batches.push([...writes]);
      for (const write of writes) database.set(write.key, write.value);
    };
    return { batches, database, flush };
  }
  beforeEach(() => target.flush());
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await Promise.all(caches.splice(0).map((created) => created.close()));
  });

  it('caches the value at once and queues it until a worker flushes it', async () => {
    const c = cache();
    await c.writeBehind('user:1', { name: 'Ada' }, { tags: ['users'] });
    expect(await c.get('user:1')).toEqual({ name: 'Ada' });
    const { database, flush } = recorder();
    const worker = start(c, { flush });
    expect(await worker.pending()).toBe(1);
    await waitFor(() => database.size === 1);
    expect(database.get('user:1')).toEqual({ name: 'Ada' });
    await waitFor(async () => (await worker.pending()) === 0);
    await c.invalidate({ tags: ['users'] });
    expect(await c.get('user:1')).toBeUndefined();
  });

  it('collapses several writes of one key in a batch to the latest, in write order', async () => {
    const c = cache();
    await c.writeBehind('k', 1);
    await c.writeBehind('k', 2);
    await c.writeBehind('j', 'only');
    await c.writeBehind('k', 3);
    await c.writeBehind('n', Buffer.from([0, 255]), { namespace: 'ns' });
    const { batches, flush } = recorder();
    start(c, { flush, batchSize: 100 });
    await waitFor(() => batches.length === 1);
    const [batch] = batches as [WriteBehindWrite[]];
    expect(batch.map(({ key, value, namespace }) => ({ key, value, namespace }))).toEqual([
      { key: 'j', value: 'only', namespace: undefined },
      { key: 'k', value: 3, namespace: undefined },
      { key: 'n', value: Buffer.from([0, 255]), namespace: 'ns' },
    ]);
  });

  it('keeps the order of writes per key across batches and two workers', async () => {
    const c = cache(3);
    const seen = new Map<string, number[]>();
    const flush = async (writes: readonly WriteBehindWrite[]) => {
      for (const write of writes)
        seen.set(write.key, [...(seen.get(write.key) ?? []), write.value as number]);
    };
    start(c, { flush, batchSize: 3 });
    start(c, { flush, batchSize: 3 });
    const keys = ['a', 'b', 'c', 'd', 'e'];
    // Many concurrent callers; each key's writes are issued in order by one caller.
    await Promise.all(
      keys.map(async (key) => {
        for (let i = 0; i < 40; i++) await c.writeBehind(key, i);
      }),
    );
    await waitFor(() => keys.every((key) => seen.get(key)?.at(-1) === 39), 20_000);
    for (const key of keys) {
      const values = seen.get(key) as number[];
      expect(values).toEqual([...values].sort((x, y) => x - y));
      expect(new Set(values).size).toBe(values.length);
    }
  });

  it('spreads writes over several streams and drains them all', async () => {
    const c = cache(4);
    const { database, flush } = recorder();
    await Promise.all(Array.from({ length: 200 }, (_, i) => c.writeBehind(`key:${i}`, i)));
    const worker = start(c, { flush, batchSize: 50 });
    expect(await worker.pending()).toBe(200);
    await waitFor(() => database.size === 200, 20_000);
    expect([...database.entries()].every(([key, value]) => key === `key:${String(value)}`)).toBe(true);
    await waitFor(async () => (await worker.pending()) === 0);
  });

  it('acknowledges only after flush resolves: a failing flush is retried, not lost', async () => {
    const c = cache();
    const errors: CacheEvents['writeBehindError'][0][] = [];
    c.on('writeBehindError', (event) => errors.push(event));
    let calls = 0;
    const { database, flush } = recorder();
    await c.writeBehind('a', 1);
    await c.writeBehind('b', 2);
    const worker = start(c, {
      maxRetries: 10,
      flush: async (writes) => {
        calls++;
        if (calls <= 2) throw new Error(`database down ${calls}`);
        await flush(writes);
      },
    });
    await waitFor(() => database.size === 2);
    expect(calls).toBe(3);
    expect(errors.map((event) => event.keys)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    await waitFor(async () => (await worker.pending()) === 0);
  });

  it('holds a batch unacknowledged while flush runs', async () => {
    const c = cache();
    const flushing = gate();
    const release = gate();
    await c.writeBehind('a', 1);
    const worker = start(c, {
      flush: async () => {
        flushing.open();
        await release.wait;
      },
    });
    await flushing.wait;
    expect(await worker.pending()).toBe(1);
    release.open();
    await waitFor(async () => (await worker.pending()) === 0);
  });

  it('moves an entry to the dead-letter stream after maxRetries failures and reports it', async () => {
    const c = cache();
    const dead: CacheEvents['writeBehindDeadLetter'][0][] = [];
    c.on('writeBehindDeadLetter', (event) => dead.push(event));
    const { database, flush } = recorder();
    let poisonCalls = 0;
    await c.writeBehind('poison', 'x');
    await c.writeBehind('good', 'y');
    const worker = start(c, {
      batchSize: 1,
      maxRetries: 3,
      flush: async (writes) => {
        if (writes.some((write) => write.key === 'poison')) {
          poisonCalls++;
          throw new Error('constraint violated');
        }
        await flush(writes);
      },
    });
    await waitFor(() => database.has('good'));
    expect(poisonCalls).toBe(3);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ keys: ['poison'], dead: 'rw:cache:{wb0}:dead' });
    expect(dead[0]?.error).toEqual(new Error('constraint violated'));
    expect(await worker.pending()).toBe(0);
    if (target.name !== 'memory') {
      const entries = await deadLetters(target);
      expect(entries).toHaveLength(1);
      const fields = (entries[0] as [string, string[]])[1];
      expect(fields.slice(2, 6)).toEqual(['error', 'constraint violated', 'k', 'poison']);
    }
  });

  it('stop() finishes the batch being flushed, then flushes nothing more', async () => {
    const c = cache();
    const flushing = gate();
    const release = gate();
    const { database, flush } = recorder();
    await c.writeBehind('a', 1);
    const worker = c.startWriteBehind({
      maxDelay: 10,
      flush: async (writes) => {
        flushing.open();
        await release.wait;
        await flush(writes);
      },
    });
    await flushing.wait;
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await c.writeBehind('b', 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release.open();
    await stopping;
    expect([...database.keys()]).toEqual(['a']);
    expect(await worker.pending()).toBe(1);
    // The stream was handed back: another worker drains it at once, not after claimAfter.
    const next = recorder();
    start(c, { flush: next.flush, claimAfter: '1h' });
    await waitFor(() => next.database.get('b') === 2);
  });

  it('close() stops the workers, after the batch being flushed', async () => {
    const c = createCache({ redis: target.client(), ttl: '1m' });
    const flushing = gate();
    const release = gate();
    const { database, flush } = recorder();
    await c.writeBehind('a', 1);
    const worker = c.startWriteBehind({
      maxDelay: 10,
      flush: async (writes) => {
        flushing.open();
        await release.wait;
        await flush(writes);
      },
    });
    await flushing.wait;
    let closed = false;
    const closing = c.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    release.open();
    await closing;
    await worker.stop();
    expect([...database.keys()]).toEqual(['a']);
  });

  it('rejects bad worker options with the option named', () => {
    const c = cache();
    const flush = async () => {};
    expect(() => c.startWriteBehind({} as WriteBehindOptions)).toThrow(/flush/);
    expect(() => c.startWriteBehind({ flush, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => c.startWriteBehind({ flush, batchSize: 5000 })).toThrow(/batchSize/);
    expect(() => c.startWriteBehind({ flush, maxRetries: 1.5 })).toThrow(/maxRetries/);
    expect(() => c.startWriteBehind({ flush, maxDelay: 'soon' as '1s' })).toThrow(/maxDelay/);
    expect(() => c.startWriteBehind({ flush, claimAfter: 0 })).toThrow(/claimAfter/);
    expect(() => c.startWriteBehind({ flush, retries: 1 } as WriteBehindOptions)).toThrow(/retries/);
    expect(() => createCache({ ttl: '1m', writeBehindStreams: 0 })).toThrow(/writeBehindStreams/);
  });

  it('refuses a value the serializer cannot store, and queues nothing', async () => {
    const c = cache();
    await expect(c.writeBehind('k', undefined)).rejects.toMatchObject({ code: 'ERR_RW_CACHE_VALUE' });
    const worker = c.startWriteBehind({ flush: async () => {} });
    workers.push(worker);
    expect(await worker.pending()).toBe(0);
  });
});
