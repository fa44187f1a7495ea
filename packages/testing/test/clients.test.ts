import {
  closeAllClients,
  closeClient,
  connectIoredis,
  connectNodeRedis,
  type FaultProxy,
  type RedisServer,
  startFaultProxy,
  startRedis,
} from '../src';

let server: RedisServer;
let proxy: FaultProxy;

beforeEach(async () => {
  server = await startRedis();
  proxy = await startFaultProxy(server);
});
afterEach(async () => {
  await proxy.close();
  await server.stop();
});

test('connects both clients', async () => {
  const nodeRedis = await connectNodeRedis(server.url);
  const ioredis = await connectIoredis(server.url);
  await nodeRedis.set('k', 'v');
  expect(await ioredis.get('k')).toBe('v');
  await closeClient(nodeRedis);
  await closeClient(ioredis);
  expect(nodeRedis.isOpen).toBe(false);
  expect(ioredis.status).toBe('end');
});

// A hang here would fail on jest's timeout: closing must never wait for the server.
test.each([
  ['killed', () => server.kill()],
  ['refusing', () => proxy.refuse()],
  ['stalled', () => proxy.stall()],
])('closeAllClients returns although the server is %s', async (_, fault) => {
  const nodeRedis = await connectNodeRedis(proxy.url);
  const ioredis = await connectIoredis(proxy.url);
  await fault();
  // Let the clients notice and start reconnecting, the state that used to hang ioredis' disconnect.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await closeAllClients();
  expect(nodeRedis.isOpen).toBe(false);
  await closeAllClients();
  expect(ioredis.status).not.toBe('ready');
});
