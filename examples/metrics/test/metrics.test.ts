import {
  closeAllClients,
  connectIoredis,
  listenFastify,
  type RedisServer,
  pinnedRequest as request,
  startRedis,
  waitFor,
} from '@rediware/testing';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createExpressApp, createFastifyApp } from '../src/apps';
import { scrape } from './scrape';

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = (await connectIoredis(server.url)) as unknown as Redis;
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});
beforeEach(() => redis.flushall());
const afterEachClose: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(afterEachClose.splice(0).map((close) => close()));
});

/** A lock holder that stays in the route until the test lets it go. */
function gate() {
  let entered = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    whileLocked: async () => {
      entered++;
      await opened;
    },
    entered: () => entered,
    open: () => open(),
  };
}

/** What both apps must report after the same traffic. */
function expectPluginCounters(samples: Map<string, number>): void {
  expect(samples.get('rediware_rate_limit_admitted_total{limiter="limited"}')).toBe(2);
  expect(samples.get('rediware_rate_limit_rejected_total{limiter="limited"}')).toBe(3);
  // The first rejection asks Redis; the next two are answered by the block cache.
  expect(samples.get('rediware_rate_limit_block_cache_hits_total{limiter="limited"}')).toBe(2);
  expect(samples.get('rediware_rate_limit_failed_open_total{limiter="limited"}')).toBe(0);
  expect(samples.get('rediware_response_cache_misses_total')).toBe(1);
  expect(samples.get('rediware_response_cache_hits_total')).toBe(2);
  expect(samples.get('rediware_cache_stored_bytes_total')).toBeGreaterThan(0);
  expect(samples.get('rediware_cache_errors_total')).toBe(0);
  expect(samples.get('rediware_lock_acquired_total')).toBe(2);
  expect(samples.get('rediware_lock_waited_total')).toBe(1);
  expect(samples.get('rediware_lock_timeouts_total')).toBe(0);
  expect(samples.get('rediware_lock_wait_seconds_count')).toBe(2);
  expect(samples.get('rediware_lock_errors_total')).toBe(0);
  // A payment and its retry with the same key: one run, one replay.
  expect(samples.get('rediware_idempotency_runs_total')).toBe(1);
  expect(samples.get('rediware_idempotency_replays_total')).toBe(1);
  expect(samples.get('rediware_idempotency_busy_total')).toBe(0);
  expect(samples.get('rediware_idempotency_errors_total')).toBe(0);
}

/** A payment, then its retry with the same Idempotency-Key: the answers' Idempotent-Replayed. */
async function payTwice(url: string): Promise<Array<string | null>> {
  const replayed = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(`${url}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': '"pay-1"' },
      body: JSON.stringify({ amount: 10 }),
    });
    expect(response.status).toBe(201);
    replayed.push(response.headers.get('idempotent-replayed'));
  }
  return replayed;
}

describe('metrics scraped from prom-client after real HTTP traffic', () => {
  it('Express: rate limit, response cache, session and lock', async () => {
    const registry = new Registry();
    const locked = gate();
    const { app, close } = createExpressApp({ redis, registry, whileLocked: locked.whileLocked });
    afterEachClose.push(close);
    const limited = [];
    for (let i = 0; i < 5; i++) limited.push((await request(app).get('/limited')).status);
    expect(limited).toEqual([200, 200, 429, 429, 429]);
    for (let i = 0; i < 3; i++) await request(app).get('/cached').expect(200);
    const visitor = request.agent(app);
    for (let i = 1; i <= 3; i++) await visitor.get('/visit').expect(200, { views: i });
    const first = request(app)
      .post('/job')
      .then((res) => res.status);
    await waitFor(() => locked.entered() === 1);
    const second = request(app)
      .post('/job')
      .then((res) => res.status);
    await waitFor(async () => (await scrape(registry)).get('rediware_lock_waited_total') === 1);
    locked.open();
    expect(await Promise.all([first, second])).toEqual([200, 200]);
    const listening = await new Promise<import('node:http').Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    const { port } = listening.address() as import('node:net').AddressInfo;
    expect(await payTwice(`http://127.0.0.1:${port}`)).toEqual([null, 'true']);
    await new Promise((resolve) => listening.close(resolve));

    const text = (await request(app).get('/metrics').expect(200)).text;
    expect(text).toContain('# HELP rediware_rate_limit_admitted_total');
    const samples = await scrape(registry);
    expectPluginCounters(samples);
    // The first visit had no cookie: two reads, and three saves as the session changed each time.
    expect(samples.get('rediware_session_reads_total')).toBe(2);
    expect(samples.get('rediware_session_writes_total')).toBe(3);
    expect(samples.get('rediware_session_corrupt_total')).toBe(0);
    expect(samples.get('rediware_session_errors_total')).toBe(0);
  });

  it('Fastify (a real listen): rate limit, response cache and lock', async () => {
    const registry = new Registry();
    const locked = gate();
    // A real listen: inject's cookie parsing cannot load inside jest's module sandbox.
    const app = await listenFastify(
      await createFastifyApp({ redis, registry, whileLocked: locked.whileLocked }),
    );
    afterEachClose.push(app.close);
    const get = (path: string) => fetch(`${app.url}${path}`);
    const post = (path: string) => fetch(`${app.url}${path}`, { method: 'POST' }).then((res) => res.status);
    const limited = [];
    for (let i = 0; i < 5; i++) limited.push((await get('/limited')).status);
    expect(limited).toEqual([200, 200, 429, 429, 429]);
    const cached = [];
    for (let i = 0; i < 3; i++) cached.push((await get('/cached')).headers.get('x-cache'));
    expect(cached).toEqual(['MISS', 'HIT', 'HIT']);
    const first = post('/job');
    await waitFor(() => locked.entered() === 1);
    const second = post('/job');
    await waitFor(async () => (await scrape(registry)).get('rediware_lock_waited_total') === 1);
    locked.open();
    expect(await Promise.all([first, second])).toEqual([200, 200]);
    expect(await payTwice(app.url)).toEqual([null, 'true']);

    const text = await (await get('/metrics')).text();
    expect(text).toContain('# HELP rediware_lock_wait_seconds');
    expectPluginCounters(await scrape(registry));
  });

  it('a Redis outage: the lock refuses with 503 and counts rediware_lock_errors_total', async () => {
    const own = await startRedis();
    afterEachClose.push(() => own.stop());
    const ownRedis = (await connectIoredis(own.url)) as unknown as Redis;
    const registry = new Registry();
    const { app, close } = createExpressApp({ redis: ownRedis, registry });
    afterEachClose.push(close);
    await request(app).post('/job').expect(200);
    expect((await scrape(registry)).get('rediware_lock_errors_total')).toBe(0);

    await own.stop();
    await request(app).post('/job').expect(503);
    const samples = await scrape(registry);
    expect(samples.get('rediware_lock_errors_total')).toBeGreaterThanOrEqual(1);
    expect(samples.get('rediware_lock_acquired_total')).toBe(1);
    expect(samples.get('rediware_session_errors_total')).toBe(0);
  });
});
