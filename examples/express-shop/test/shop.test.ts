import {
  closeAllClients,
  connectIoredis,
  type RedisServer,
  pinnedRequest as request,
  startRedis,
} from '@rediware/testing';
import { createShop, type Shop } from '../src/app';

let server: RedisServer;
let shop: Shop;

beforeAll(async () => {
  server = await startRedis();
  shop = await createShop({ redis: await connectIoredis(server.url), readLatencyMs: 5, checkoutMs: 300 });
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
  it('answers the catalogue from the response cache and invalidates it by tag on update', async () => {
    const first = await request(shop.app).get('/products/1').expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const reads = shop.catalogue.reads;
    const admin = await login('admin');
    // A logged-in request (with its cookie) is answered from the same entry.
    const second = await admin.get('/products/1').expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect(shop.catalogue.reads).toBe(reads);

    await admin.put('/products/1').send({ priceCents: 2_000 }).expect(200);
    const after = await request(shop.app).get('/products/1').expect(200);
    expect(after.headers['x-cache']).toBe('MISS');
    expect(after.body.priceCents).toBe(2_000);
    expect(shop.catalogue.reads).toBe(reads + 1);
    const list = await request(shop.app).get('/products').expect(200);
    expect(list.body.find((product: { id: string }) => product.id === '1').priceCents).toBe(2_000);
    await request(shop.app).get('/products/99').expect(404);
  });

  it('reads a product from the data cache when only its page was dropped', async () => {
    await request(shop.app).get('/products/2').expect(200);
    const reads = shop.catalogue.reads;
    // A new query string is a new page, but the row inside comes from the cache-aside layer.
    const other = await request(shop.app).get('/products/2?view=full').expect(200);
    expect(other.headers['x-cache']).toBe('MISS');
    expect(shop.catalogue.reads).toBe(reads);
  });

  it('logs a user out everywhere', async () => {
    const devices = [await login('bob'), await login('bob'), await login('bob')];
    expect((await devices[0]!.get('/me').expect(200)).body.sessions).toBe(3);
    expect((await devices[1]!.post('/logout-everywhere').expect(200)).body.destroyed).toBe(3);
    for (const device of devices) await device.get('/me').expect(401);
  });

  it('checks a cart out once at a time, the second waiting, with the fencing token in each order', async () => {
    const { waited } = (await shop.stats.counts()).lock;
    const [a, b] = await Promise.all([
      request(shop.app).post('/carts/42/checkout').expect(200),
      request(shop.app).post('/carts/42/checkout').expect(200),
    ]);
    const tokens = shop.orders.of('42').map((order) => order.fencingToken);
    expect(tokens.sort((x, y) => x - y)).toEqual(
      [a.body.fencingToken, b.body.fencingToken].sort((x, y) => x - y),
    );
    expect(tokens[1]).toBeGreaterThan(tokens[0]!);
    expect((await shop.stats.counts()).lock.waited).toBe(waited + 1);
    // The database refuses an order with a token not above the cart's last one.
    expect(() => shop.orders.place('42', tokens[0]!)).toThrow(/stale fencing token/);
  });

  it('charges a retried checkout with the same Idempotency-Key once and replays the order', async () => {
    const before = (await shop.stats.counts()).checkoutIdempotency;
    const checkout = () =>
      request(shop.app).post('/carts/77/checkout').set('Idempotency-Key', '"order-77-a"');
    const first = await checkout().expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The client timed out and retries, twice: the stored order comes back, no second charge.
    for (let i = 0; i < 2; i++) {
      const retry = await checkout().expect(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
    }
    expect(shop.orders.of('77')).toEqual([first.body]);
    // The same key on another cart is another request: 422, nothing charged.
    await request(shop.app).post('/carts/78/checkout').set('Idempotency-Key', '"order-77-a"').expect(422);
    expect(shop.orders.of('78')).toEqual([]);
    expect((await shop.stats.counts()).checkoutIdempotency).toEqual({
      ...before,
      runs: before.runs + 1,
      replays: before.replays + 2,
      mismatches: before.mismatches + 1,
    });
  });

  it('limits the API per user once logged in', async () => {
    const anonymous = await request(shop.app).get('/me').expect(401);
    expect(anonymous.headers.ratelimit).toMatch(/^"api";r=\d+;/);
    expect(anonymous.headers.ratelimit).not.toMatch(/r=99;/);
    // The login itself counted against the IP; the user's own budget starts full.
    const dave = await login('dave');
    expect((await dave.get('/me').expect(200)).headers.ratelimit).toMatch(/^"api";r=99;/);
  });

  it('rate-limits login per IP with a token bucket', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await request(shop.app).post('/login').send({ user: 'eve' })).status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(5);
  });
});

describe('the status page', () => {
  it('serves the page and counts what the plugins did', async () => {
    // A shop of its own, so the login bucket is full.
    const local = await createShop({ readLatencyMs: 1, checkoutMs: 300 });
    const page = await request(local.app).get('/').expect(200);
    expect(page.text).toContain("fetch('/status.json'");
    const logins = [];
    for (const user of ['carol', 'carol', 'dave', 'dave', 'dave', 'dave'])
      logins.push((await request(local.app).post('/login').send({ user })).status);
    expect(logins).toEqual([200, 200, 200, 200, 200, 429]);
    await request(local.app).get('/products/3').expect(200);
    await request(local.app).get('/products/3').expect(200);
    await Promise.all([
      request(local.app).post('/carts/1/checkout').expect(200),
      request(local.app).post('/carts/1/checkout').expect(200),
    ]);
    const status = await request(local.app).get('/status.json').expect(200);
    expect(status.body.framework).toBe('Express');
    // Each plugin's own metrics(). The status requests are not rate-limited; the 6 logins, 2 reads
    // and 2 checkouts pass the API limit, and the login limit refuses the 6th login.
    expect(status.body.counts).toEqual({
      apiLimit: { admitted: 10, rejected: 0, failedOpen: 0, blockCacheHits: 0 },
      loginLimit: { admitted: 5, rejected: 1, failedOpen: 0, blockCacheHits: 0 },
      responseCache: {
        hits: 1,
        stale: 0,
        misses: 1,
        bypasses: 0,
        unadmitted: 0,
        overBudget: 0,
        admissionErrors: 0,
      },
      dataCache: {
        hits: 0,
        misses: 1,
        stale: 0,
        coalescedWaits: 0,
        errors: 0,
        l1Resets: 0,
        storedBytes: expect.any(Number),
      },
      lock: { acquired: 2, waited: 1, timeouts: 0, lost: 0, errors: 0 },
      // The two checkouts sent no Idempotency-Key: nothing stored, nothing replayed.
      checkoutIdempotency: { runs: 0, replays: 0, busy: 0, mismatches: 0, corrupt: 0, errors: 0 },
      sessionStore: expect.objectContaining({ errors: 0 }),
      sessions: { carol: 2, dave: 3 },
    });
    expect(status.body.counts.dataCache.storedBytes).toBeGreaterThan(0);
    expect(status.body.counts.sessionStore.writes).toBeGreaterThanOrEqual(5);
    await local.close();
  });
});

describe('the Express demo shop without Redis', () => {
  it('runs on the memory backend', async () => {
    const local = await createShop({ readLatencyMs: 1, checkoutMs: 1 });
    await request(local.app).get('/products').expect(200);
    expect((await request(local.app).get('/products').expect(200)).headers['x-cache']).toBe('HIT');
    await local.close();
  });
});
