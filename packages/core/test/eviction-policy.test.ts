import { setImmediate } from 'node:timers/promises';
import {
  closeAllClients,
  connectIoredis,
  connectNodeRedis,
  type FaultProxy,
  type RedisServer,
  startFaultProxy,
  startRedis,
  useTimerWatch,
  waitFor,
} from '@rediware/testing';
import { createBackend } from '../src';
import { mayEvict, parseEvictionSettings } from '../src/eviction-policy';

/** The RW_EVICTION_POLICY warnings this process emitted since the test began. */
function collectWarnings(): { messages: string[]; stop: () => void } {
  const messages: string[] = [];
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation((warning, options) => {
    const code = typeof options === 'object' ? options.code : undefined;
    if (code === 'RW_EVICTION_POLICY') messages.push(String(warning));
  });
  return { messages, stop: () => spy.mockRestore() };
}

// The check's timer is unref'd: async_hooks sees it where getActiveResourcesInfo() does not.
const timersMadeBy = useTimerWatch();

/** Answered after every command the client sent before, the INFO held while stalled included. */
async function pingAfterHeld(client: object): Promise<void> {
  await (client as { ping(): Promise<unknown> }).ping();
}

const servers: Record<string, RedisServer> = {};
let stalled: FaultProxy;

beforeAll(async () => {
  [servers.lru, servers.volatile, servers.noeviction, servers.unlimited] = await Promise.all([
    startRedis({ args: ['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru'] }),
    startRedis({ args: ['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru'] }),
    startRedis({ args: ['--maxmemory', '64mb', '--maxmemory-policy', 'noeviction'] }),
    startRedis({ args: ['--maxmemory', '0', '--maxmemory-policy', 'allkeys-lru'] }),
  ]);
  stalled = await startFaultProxy(servers.lru as RedisServer);
});
afterEach(() => stalled.pass());

afterAll(async () => {
  await closeAllClients();
  await stalled.close();
  await Promise.all(Object.values(servers).map((server) => server.stop()));
});

const connect = {
  'node-redis': connectNodeRedis,
  ioredis: connectIoredis,
};

describe.each(Object.entries(connect))('with %s', (_kind, connectTo) => {
  test.each([
    ['lru', 'allkeys-lru'],
    ['volatile', 'volatile-lru'],
  ])('a package that holds state warns once when Redis may evict its keys (%s)', async (name, policy) => {
    const warnings = collectWarnings();
    try {
      const redis = await connectTo((servers[name] as RedisServer).url);
      for (let i = 0; i < 3; i++)
        createBackend({ redis, packageName: '@rediware/lock', holdsState: 'held locks' });
      createBackend({ redis, packageName: '@rediware/session', holdsState: 'sessions' });
      await waitFor(() => warnings.messages.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(warnings.messages).toHaveLength(2);
      expect(warnings.messages[0]).toContain('@rediware/lock');
      expect(warnings.messages[0]).toContain(`maxmemory-policy ${policy}`);
      expect(warnings.messages[0]).toContain('held locks');
      expect(warnings.messages[0]).toContain('noeviction');
      expect(warnings.messages[1]).toContain('sessions');
    } finally {
      warnings.stop();
    }
  });

  test.each([['noeviction'], ['unlimited']])(
    'no warning when nothing is evicted (%s), nor for a package that holds no state',
    async (name) => {
      const warnings = collectWarnings();
      try {
        const redis = await connectTo((servers[name] as RedisServer).url);
        createBackend({ redis, packageName: '@rediware/lock', holdsState: 'held locks' });
        const lru = await connectTo((servers.lru as RedisServer).url);
        createBackend({ redis: lru, packageName: '@rediware/cache' });
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(warnings.messages).toEqual([]);
      } finally {
        warnings.stop();
      }
    },
  );

  describe('on a Redis that does not answer (evicting, once it does)', () => {
    it("the check gives up within the backend's timeout, and warns of no answer that comes later", async () => {
      const warnings = collectWarnings();
      try {
        const redis = await connectTo(stalled.url);
        stalled.stall();
        const started = Date.now();
        const { live } = await timersMadeBy(() =>
          createBackend({ redis, timeout: '200ms', packageName: '@rediware/lock', holdsState: 'held locks' }),
        );
        expect(live.size).toBeGreaterThan(0);
        // 5 s before, whatever the timeout (the margin is for a loaded machine, not a target).
        await waitFor(() => live.size === 0, 4_000);
        expect(Date.now() - started).toBeGreaterThanOrEqual(200);
        expect(Date.now() - started).toBeLessThan(4_000);
        stalled.pass();
        await pingAfterHeld(redis);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(warnings.messages).toEqual([]);
      } finally {
        warnings.stop();
      }
    });

    it('close() right after creating the backend ends the check: no timer left, no warning later', async () => {
      const warnings = collectWarnings();
      try {
        const redis = await connectTo(stalled.url);
        stalled.stall();
        const { value: backend, live } = await timersMadeBy(() =>
          createBackend({ redis, timeout: '2s', packageName: '@rediware/session', holdsState: 'sessions' }),
        );
        expect(live.size).toBeGreaterThan(0);
        await backend.close();
        await setImmediate();
        expect(live.size).toBe(0);
        stalled.pass();
        await pingAfterHeld(redis);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(warnings.messages).toEqual([]);
      } finally {
        warnings.stop();
      }
    });
  });
});

test('reads the settings from INFO memory; only noeviction or no maxmemory keeps keys', () => {
  const info =
    '# Memory\r\nused_memory:1\r\nmaxmemory:1048576\r\nmaxmemory_human:1.00M\r\nmaxmemory_policy:allkeys-lfu\r\n';
  expect(parseEvictionSettings(info)).toEqual({ maxmemory: 1048576, policy: 'allkeys-lfu' });
  expect(parseEvictionSettings('# Memory\r\n')).toBeUndefined();
  expect(mayEvict({ maxmemory: 1, policy: 'volatile-ttl' })).toBe(true);
  expect(mayEvict({ maxmemory: 1, policy: 'noeviction' })).toBe(false);
  expect(mayEvict({ maxmemory: 0, policy: 'allkeys-lru' })).toBe(false);
});
