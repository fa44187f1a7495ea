import {
  closeAllClients,
  connectIoredis,
  type FaultProxy,
  type RedisServer,
  startFaultProxy,
  startRedis,
} from '@rediware/testing';
import { type Cache, createCache } from '../../src';

/*
 * A flight outlives its loader: the value is written to Redis after the loader returned. A call
 * that arrives in between, after an invalidation, must not take the value from before it.
 */

let server: RedisServer;
let proxy: FaultProxy;
const caches: Cache[] = [];

beforeAll(async () => {
  server = await startRedis();
  proxy = await startFaultProxy(server);
});
afterAll(async () => {
  proxy.pass();
  await Promise.all(caches.map((cache) => cache.close()));
  await closeAllClients();
  await proxy.close();
  await server.stop();
});

it('a call after an invalidation does not join the flight of a value loaded before it', async () => {
  const slowed = createCache({ redis: await connectIoredis(proxy.url), ttl: '1m', timeout: '5s' });
  const other = createCache({ redis: await connectIoredis(server.url), ttl: '1m' });
  caches.push(slowed, other);
  await slowed.ready();
  const first = slowed.wrap(
    'k',
    () => {
      proxy.slow(300); // from here the write of 'before' takes a while
      return 'before';
    },
    { tags: ['t'] },
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  await other.invalidate({ tags: ['t'] });
  const second = slowed.wrap('k', () => 'after', { tags: ['t'] });
  expect(await first).toBe('before');
  proxy.pass();
  expect(await second).toBe('after');
});
