import {
  closeAllClients,
  connectIoredis,
  type RedisServer,
  pinnedRequest as request,
  startRedis,
  waitFor,
} from '@rediware/testing';
import { statusCharts } from '../../shared/src/status-charts';
import { createShop, type Shop } from '../src/app';

// Issue #34: a checkout refused because Redis is gone (the lock fails closed) is on the status
// page's Redis-failures chart and in the lock's totals.

let server: RedisServer;
let shop: Shop;

beforeAll(async () => {
  server = await startRedis();
  shop = await createShop({ redis: await connectIoredis(server.url), readLatencyMs: 1, checkoutMs: 1 });
});
afterAll(async () => {
  await shop.close();
  await closeAllClients();
  await server.stop();
});

test('a checkout that fails because Redis is down is a lock error, charted with the Redis failures', async () => {
  await request(shop.app).post('/carts/5/checkout').expect(200);
  const before = await request(shop.app).get('/status.json').expect(200);
  expect(before.body.counts.lock).toEqual({ acquired: 1, waited: 0, timeouts: 0, lost: 0, errors: 0 });

  await server.stop();
  // Anonymous: no session to read, and the rate limit fails open, so the lock is what refuses.
  const refused = await request(shop.app).post('/carts/5/checkout');
  expect(refused.status).toBe(503);
  expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);

  const after = await request(shop.app).get('/status.json').expect(200);
  expect(after.body.counts.lock).toMatchObject({ acquired: 1, timeouts: 0, lost: 0 });
  expect(after.body.counts.lock.errors).toBeGreaterThanOrEqual(1);

  const line = (statusCharts.redisFailures ?? [])
    .flatMap((chart) => (chart.kind === 'rate' ? chart.lines : []))
    .find((chartLine) => chartLine.label === 'checkout lock (503)');
  expect(line).toEqual({ label: 'checkout lock (503)', series: ['lock.errors'] });
  // The server samples the rates once a second: the chart's line leaves 0.
  await waitFor(() => (shop.stats.rates().rates['lock.errors'] ?? []).some((rate) => rate > 0), 5_000);
});
