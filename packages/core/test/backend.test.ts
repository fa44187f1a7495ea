import { setTimeout as sleep } from 'node:timers/promises';
import { commandCalls, redisCommand, useRedisTargets, waitFor } from '@rediware/testing';
import { type Backend, createBackend, createKeyspace, RedisCommandError, type RediwareError } from '../src';
import {
  counterScript,
  getScript,
  nowScript,
  pttlCommand,
  setAndPublishScript,
  setGetScript,
  writeThenFailScript,
} from './test-scripts';

describe.each(useRedisTargets())('backend on $name', (target) => {
  let backend: Backend;
  const keyspace = createKeyspace('rwtest:', 'core');

  beforeEach(async () => {
    await target.flush();
    backend = createBackend({ redis: target.client(), packageName: 'core-test', timeout: '2s' });
  });
  afterEach(() => backend.close());

  it('runs a script atomically with its expiry, the same on every backend', async () => {
    const key = keyspace.key('user-1', 'count');
    expect(await backend.run(counterScript, [key], [2, 60_000])).toEqual([2, expect.any(Number)]);
    const [value, ttl] = await backend.run(counterScript, [key], [3, 60_000]);
    expect(value).toBe(5);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('runs a defineCommand command as that one command, without a script', async () => {
    const key = keyspace.key('user-2', 'count');
    await backend.run(counterScript, [key], [1, 60_000]);
    const calls = async (command: string) => (await commandCalls(target.masters())).get(command) ?? 0;
    const before = { evalsha: await calls('evalsha'), pttl: await calls('pttl') };
    const ttl = await backend.run(pttlCommand, [key], []);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await backend.run(pttlCommand, [keyspace.key('absent', 'x')], [])).toBe(-2);
    if (target.name === 'memory') return;
    // Two plain PTTLs and no script call.
    expect(await calls('evalsha')).toBe(before.evalsha);
    expect(await calls('pttl')).toBe(before.pttl + 2);
  });

  it('reads the time from the backend clock (Redis TIME)', async () => {
    const now = await backend.run(nowScript, [keyspace.key('clock', 'x')], []);
    expect(Number.isInteger(now)).toBe(true);
    expect(Math.abs(now - Date.now())).toBeLessThan(5_000);
  });

  it('returns bulk strings as strings, or byte for byte as Buffers when asked, and nil as null', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const a = keyspace.key('bin', 'a');
    const b = keyspace.key('bin', 'b');
    const [asBuffer, missing] = await backend.run(setGetScript, [a, b], [bytes], { buffers: true });
    expect(Buffer.isBuffer(asBuffer)).toBe(true);
    expect(Buffer.compare(asBuffer as Buffer, bytes)).toBe(0);
    expect(missing).toBeNull();
    const [asString] = await backend.run(setGetScript, [a, b], ['héllo']);
    expect(asString).toBe('héllo');
  });

  it('refuses keys that do not share one hash tag, before sending anything', async () => {
    const promise = backend.run(setGetScript, [keyspace.key('u1', 'a'), keyspace.key('u2', 'a')], ['x']);
    await expect(promise).rejects.toMatchObject({ code: 'ERR_RW_CROSS_SLOT' });
    expect(await backend.run(getScript, [keyspace.key('u1', 'a')], [])).toBeNull();
  });

  it('reports a script error as RedisCommandError and never runs the script twice', async () => {
    const key = keyspace.key('fail', 'n');
    const failure = await backend.run(writeThenFailScript, [key], []).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RedisCommandError);
    expect((failure as RediwareError).message).toMatch(/ERR failed after writing/);
    expect(await backend.run(getScript, [key], [])).toBe('1');
  });

  it('scans every key of a keyspace on every master, and nothing else', async () => {
    const identities = Array.from({ length: 60 }, (_, i) => `scan-${i}`);
    await Promise.all(
      identities.map((id) => backend.run(counterScript, [keyspace.key(id, 'n')], [1, 60_000])),
    );
    await backend.run(counterScript, [createKeyspace('other:', 'core').key('scan-0', 'n')], [1, 60_000]);
    await backend.run(counterScript, [keyspace.key('scan-0', 'other-suffix')], [1, 60_000]);
    const found: string[] = [];
    for await (const batch of backend.scan(keyspace.pattern('n'), 7)) found.push(...batch);
    expect(found.sort()).toEqual(identities.map((id) => keyspace.key(id, 'n')).sort());
  });

  it('delivers published messages to subscribers until they unsubscribe', async () => {
    const received: string[] = [];
    const subscription = await backend.subscribe('rwtest:channel', (message) => received.push(message));
    await backend.publish('rwtest:channel', 'one');
    await waitFor(() => received.length === 1);
    await subscription.unsubscribe();
    await backend.publish('rwtest:channel', 'two');
    await sleep(100);
    expect(received).toEqual(['one']);
  });

  it('delivers what a script publishes, after the script has written', async () => {
    const key = keyspace.key('announce', 'v');
    const seen: Array<string | null> = [];
    const subscription = await backend.subscribe('rwtest:announce', (message) => {
      void backend.run(getScript, [key], []).then((value) => seen.push(`${message}=${value}`));
    });
    await backend.run(setAndPublishScript, [key], ['v1', 'rwtest:announce']);
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['v1=v1']);
    await subscription.unsubscribe();
  });

  if (target.name !== 'memory') {
    it('recovers from an empty script cache (SCRIPT FLUSH) with one EVAL, then uses EVALSHA again', async () => {
      const key = keyspace.key('flush', 'n');
      await backend.run(counterScript, [key], [1, 60_000]);
      for (const node of target.masters()) await redisCommand(node, ['SCRIPT', 'FLUSH']);
      expect(await backend.run(counterScript, [key], [1, 60_000])).toEqual([2, expect.any(Number)]);
      const cached = await Promise.all(
        target.masters().map((node) => redisCommand(node, ['SCRIPT', 'EXISTS', counterScript.sha])),
      );
      expect(cached.flat().map(String)).toContain('1');
      // A write-then-fail script after a flush: the NOSCRIPT fallback runs it exactly once.
      for (const node of target.masters()) await redisCommand(node, ['SCRIPT', 'FLUSH']);
      const failKey = keyspace.key('flush', 'fail');
      await expect(backend.run(writeThenFailScript, [failKey], [])).rejects.toBeInstanceOf(RedisCommandError);
      expect(await backend.run(getScript, [failKey], [])).toBe('1');
    });
  }

  if (target.cluster) {
    it('routes each identity to the master that owns its hash tag', async () => {
      const identities = Array.from({ length: 30 }, (_, i) => `route-${i}`);
      await Promise.all(
        identities.map((id) => backend.run(counterScript, [keyspace.key(id, 'n')], [1, 60_000])),
      );
      const perMaster = await Promise.all(target.masters().map((node) => redisCommand(node, ['DBSIZE'])));
      expect(perMaster.filter((count) => Number(count) > 0).length).toBeGreaterThan(1);
      expect(perMaster.map(Number).reduce((sum, count) => sum + count, 0)).toBe(30);
    });
  }
});
