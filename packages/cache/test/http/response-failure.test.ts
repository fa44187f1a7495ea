import { setImmediate as nextTurn } from 'node:timers/promises';
import { RedisError } from '@rediware/core';
import {
  closeClient,
  connectIoredis,
  connectNodeRedis,
  type RawReply,
  type RedisFault,
  rawRequest,
  redisCommand,
  redisFaults,
  type Timed,
  timed,
  useFaultyRedis,
  useUnhandledRejections,
  waitFor,
} from '@rediware/testing';
import { responseCache } from '../../src/express';
import { type Framework, listenWith } from '../helpers/neutral-apps';
import { countRedisFailures } from '../helpers/redis-failures';

const faulty = useFaultyRedis();
const unhandled = useUnhandledRejections();
const timeout = 200;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const margin = 1_000;
const faults = redisFaults(timeout * 3);
const lastingFaults = faults.filter((fault) => fault.lasting);

const clients = {
  'node-redis': () => connectNodeRedis(faulty.proxy().url),
  ioredis: () => connectIoredis(faulty.proxy().url),
};
type ClientName = keyof typeof clients;

/** Stored before each fault; the load asks for them again, and for paths never seen. */
const cachedPaths = ['/cached/0', '/cached/1', '/cached/2', '/cached/3', '/cached/4'];
const range = (count: number) => Array.from({ length: count }, (_, i) => i);

interface AppUnderFault {
  readonly url: string;
  /** GETs of /held/* waiting in the handler for `release()`: in flight when the fault begins. */
  held(): number;
  release(): void;
  /** Redis failures reported so far (the engine's `failure` events, through `metrics`). */
  failures(): number;
  close(): Promise<void>;
}

let apps = 0;

/**
 * One framework's response cache through the faulty Redis, in front of a handler that answers
 * GET with `<path> call <n>` (its n-th run for that path) and anything else with 201.
 */
async function serve(framework: Framework, client: ClientName, l1 = false): Promise<AppUnderFault> {
  const redis = await clients[client]();
  const { metrics, failures } = countRedisFailures();
  let held = 0;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const calls = new Map<string, number>();
  const prefix = `rwtest:response-failure:${++apps}:`;
  const app = await listenWith(
    framework,
    { redis, prefix, timeout, l1, metrics },
    async ({ method, url }) => {
      if (method !== 'GET') return { status: 201, body: 'posted' };
      if (url.startsWith('/held/')) {
        held++;
        await gate;
      }
      const call = (calls.get(url) ?? 0) + 1;
      calls.set(url, call);
      return { body: `${url} call ${call}` };
    },
  );
  return {
    url: app.url,
    held: () => held,
    release: () => release(),
    failures,
    close: () => app.close().finally(() => closeClient(redis)),
  };
}

/** Fails after 5 s without a response: a hang fails the test instead of holding the file. */
const get = (app: AppUnderFault, path: string, method: 'GET' | 'POST' = 'GET') =>
  rawRequest(`${app.url}${path}`, {}, method);

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly outcome: Timed<RawReply>;
  /** The longest it may take: timeout + margin, plus the handler's own wait for a held request. */
  readonly bound: number;
}

/**
 * 50 concurrent requests across the fault: 20 misses waiting in the handler when it begins (their
 * responses are stored, or fail to be, during it), then 20 GETs of stored paths, 9 of new ones and
 * a POST sent while it lasts.
 */
async function loadAcross(app: AppUnderFault, fault: RedisFault): Promise<Sent[]> {
  const sentAt = Date.now();
  const inHandler = range(20).map((i) => timed(get(app, `/held/${i}`)));
  await waitFor(() => app.held() === 20);
  await fault.begin(faulty);
  const requests: Array<readonly [method: 'GET' | 'POST', path: string]> = [
    ...range(20).map((i) => ['GET', cachedPaths[i % cachedPaths.length] as string] as const),
    ...range(9).map((i) => ['GET', `/new/${i}`] as const),
    ['POST', '/cached/4'],
  ];
  const during = requests.map(async ([method, path]) => ({
    method,
    path,
    outcome: await timed(get(app, path, method)),
    bound: timeout + margin,
  }));
  const heldFor = Date.now() - sentAt;
  app.release();
  const held = inHandler.map(async (outcome, i) => ({
    method: 'GET',
    path: `/held/${i}`,
    outcome: await outcome,
    bound: heldFor + timeout + margin,
  }));
  return Promise.all([...held, ...during]);
}

/** Answered in time by the handler (or from the cache): its status and body, never a 5xx. */
function expectServed({ method, path, outcome, bound }: Sent): void {
  expect(outcome.error).toBeUndefined();
  expect(outcome.elapsed).toBeLessThan(bound);
  const { status, body } = outcome.value as RawReply;
  if (method === 'GET')
    expect({ status, body: body.toString().replace(/\d+$/, 'n') }).toEqual({
      status: 200,
      body: `${path} call n`,
    });
  else expect(status).toBe(201);
}

/** Redis answers again: a new path is a MISS then a HIT with no failure, and a stored path is a HIT. */
async function expectRecovered(app: AppUnderFault): Promise<void> {
  let attempt = 0;
  await waitFor(async () => {
    const path = `/recovery/${++attempt}`;
    const before = app.failures();
    const first = await get(app, path);
    const second = await get(app, path);
    return (
      first.headers['x-cache'] === 'MISS' && second.headers['x-cache'] === 'HIT' && app.failures() === before
    );
  }, 15_000);
  // After a restart the stored responses are gone: the first GET stores it again.
  await waitFor(async () => (await get(app, '/cached/1')).headers['x-cache'] === 'HIT', 15_000);
}

async function expectNoUnhandledRejection(): Promise<void> {
  await nextTurn();
  expect(unhandled()).toEqual([]);
}

/**
 * Each stored path asked until it is a hit (the setup of the fault cases: with a 200 ms timeout a
 * loaded machine can make one store miss its deadline, which is not what these cases test).
 */
async function storeCachedPaths(app: AppUnderFault): Promise<void> {
  for (const path of cachedPaths) {
    await get(app, path);
    await waitFor(async () => (await get(app, path)).headers['x-cache'] === 'HIT', 10_000);
  }
}

describe.each([
  ['express', 'node-redis', false],
  ['express', 'ioredis', false],
  ['fastify', 'node-redis', false],
  ['fastify', 'ioredis', false],
  ['express', 'ioredis', true],
  ['fastify', 'node-redis', true],
] as const)('the %s response cache with %s (l1: %s)', (framework, client, l1) => {
  it.each(faults.map((fault) => [fault.name, fault] as const))(
    'Redis %s under 50 concurrent requests: each served by the handler within the timeout, then hits again',
    async (_, fault) => {
      const app = await serve(framework, client, l1);
      try {
        await storeCachedPaths(app);
        const sent = await loadAcross(app, fault).finally(() => fault.end(faulty));
        for (const request of sent) expectServed(request);
        if (fault.lasting) expect(app.failures()).toBeGreaterThan(0);
        await expectRecovered(app);
        await expectNoUnhandledRejection();
      } finally {
        await app.close();
      }
    },
    30_000,
  );

  it('SCRIPT FLUSH under 50 concurrent requests: the scripts are loaded again, every stored path a hit', async () => {
    const app = await serve(framework, client, l1);
    try {
      await storeCachedPaths(app);
      const failuresBefore = app.failures();
      await redisCommand(faulty.server(), ['SCRIPT', 'FLUSH']);
      const replies = await Promise.all(
        range(50).map((i) => get(app, cachedPaths[i % cachedPaths.length] as string)),
      );
      expect(new Set(replies.map((reply) => `${reply.status} ${reply.headers['x-cache']}`))).toEqual(
        new Set(['200 HIT']),
      );
      expect(app.failures()).toBe(failuresBefore);
      await expectNoUnhandledRejection();
    } finally {
      await app.close();
    }
  });
});

describe.each(['express', 'fastify'] as const)('%s: an unsafe request while Redis fails', (framework) => {
  it.each(lastingFaults.map((fault) => [fault.name, fault] as const))(
    'Redis %s: the POST is answered within the timeout, its invalidation reported as a failure',
    async (_, fault) => {
      const app = await serve(framework, 'ioredis');
      try {
        await storeCachedPaths(app);
        await fault.begin(faulty);
        const posted = await timed(get(app, '/cached/0', 'POST')).finally(() => fault.end(faulty));
        expect(posted.value?.status).toBe(201);
        expect(posted.elapsed).toBeLessThan(timeout + margin);
        expect(app.failures()).toBe(1);
        await expectNoUnhandledRejection();
      } finally {
        await app.close();
      }
    },
  );
});

describe('invalidate() while Redis fails', () => {
  it.each(lastingFaults.map((fault) => [fault.name, fault] as const))(
    'Redis %s: rejects with a RedisError within the timeout (an invalidation is never lost silently)',
    async (_, fault) => {
      const redis = await clients.ioredis();
      const cache = responseCache({ redis, ttl: '1m', timeout, minUses: 1 });
      await cache.invalidate({ tags: ['t'] });
      await fault.begin(faulty);
      const invalidated = await timed(cache.invalidate({ tags: ['t'] })).finally(() => fault.end(faulty));
      expect(invalidated.error).toBeInstanceOf(RedisError);
      expect(invalidated.elapsed).toBeLessThan(timeout + margin);
      await cache.close();
      await closeClient(redis);
    },
  );
});
