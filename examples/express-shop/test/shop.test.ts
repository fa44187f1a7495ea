import { closeAllClients, connectIoredis, type RedisServer, startRedis } from '@rediware/testing';
import request from 'supertest';
import { createShop, type Shop } from '../src/app';
import { Catalogue } from '../src/catalogue';

let server: RedisServer;
let shop: Shop;

beforeAll(async () => {
  server = await startRedis();
  shop = createShop({
    redis: await connectIoredis(server.url),
    catalogue: new Catalogue(5),
    checkoutMs: 100,
  });
});
afterAll(async () => {
  await shop.close();
  await closeAllClients();
  await server.stop();
});

async function login(user: string) {
  const agent = request.agent(shop.app);
  await agent.post('/login').send({ user }).expect(200);
  return agent;
}

describe('the Express demo shop on Redis', () => {
  it('serves the catalogue from the cache and invalidates it by tag on update', async () => {
    const first = await request(shop.app).get('/products/1').expect(200);
    expect(first.headers['x-data-cache']).toBe('miss');
    const reads = shop.catalogue.reads;
    const second = await request(shop.app).get('/products/1').expect(200);
    expect(second.headers['x-data-cache']).toBe('hit');
    expect(shop.catalogue.reads).toBe(reads);
    const admin = await login('admin');
    await admin.put('/products/1').send({ priceCents: 2_000 }).expect(200);
    const after = await request(shop.app).get('/products/1').expect(200);
    expect(after.headers['x-data-cache']).toBe('miss');
    expect(after.body.priceCents).toBe(2_000);
    await request(shop.app).get('/products/99').expect(404);
  });

  it('logs a user out everywhere', async () => {
    const devices = [await login('bob'), await login('bob'), await login('bob')];
    expect((await devices[0]!.get('/me').expect(200)).body.sessions).toBe(3);
    expect((await devices[1]!.post('/logout-everywhere').expect(200)).body.destroyed).toBe(3);
    for (const device of devices) await device.get('/me').expect(401);
  });

  it('checks a cart out once at a time and writes the fencing token with the order', async () => {
    const [a, b] = await Promise.all([
      request(shop.app).post('/carts/42/checkout'),
      request(shop.app).post('/carts/42/checkout'),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const busy = a.status === 409 ? a : b;
    expect(busy.headers['retry-after']).toBeDefined();
    await request(shop.app).post('/carts/42/checkout').expect(200);
    const tokens = shop.orders.of('42').map((order) => order.fencingToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBeGreaterThan(tokens[0]!);
  });

  it('rate-limits login per IP with a token bucket', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await request(shop.app).post('/login').send({ user: 'eve' })).status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(5);
  });

  it("shows every plugin's counters on the status page", async () => {
    const status = (await request(shop.app).get('/status').expect(200)).body;
    // After the tests above: rejected logins, cache hits and misses, sessions and a busy checkout.
    expect(status.rateLimit.login.rejected).toBeGreaterThan(0);
    expect(status.rateLimit.api.admitted).toBeGreaterThan(0);
    expect(status.cache.hits).toBeGreaterThan(0);
    expect(status.cache.misses).toBeGreaterThan(0);
    expect(status.session.writes).toBeGreaterThan(0);
    expect(status.lock).toMatchObject({ busy: 1 });
    expect(status.lock.acquired).toBeGreaterThanOrEqual(2);
  });
});

describe('the Express demo shop without Redis', () => {
  it('runs on the memory backend', async () => {
    const local = createShop({ catalogue: new Catalogue(1), checkoutMs: 1 });
    await request(local.app).get('/products').expect(200);
    expect((await request(local.app).get('/products').expect(200)).headers['x-data-cache']).toBe('hit');
    await local.close();
  });
});
