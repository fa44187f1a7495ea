import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeAllClients,
  connectIoredis,
  connectNodeRedis,
  type FaultProxy,
  type RedisServer,
  redisCommand,
  startFaultProxy,
  startRedis,
} from '../src';

let server: RedisServer;
let proxy: FaultProxy;

beforeAll(async () => {
  server = await startRedis();
});
beforeEach(async () => {
  proxy = await startFaultProxy(server);
});
afterEach(async () => {
  await closeAllClients();
  await proxy.close();
});
afterAll(() => server.stop());

/** A raw connection that records everything it receives, to watch bytes without a client's retries. */
async function rawConnection(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(proxy.port, proxy.host);
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, received: () => received, closed };
}

async function eventually(check: () => Promise<unknown> | unknown, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

test('passes traffic both ways and counts connections', async () => {
  expect(proxy.mode).toBe('pass');
  expect(proxy.url).toBe(`redis://127.0.0.1:${proxy.port}`);
  const client = await connectIoredis(proxy.url);
  await client.set('through-proxy', 'yes');
  expect(await redisCommand(server, ['GET', 'through-proxy'])).toBe('yes');
  expect(proxy.connections()).toBe(1);
});

test('stall: a command gets no answer, and pass() delivers the held reply intact', async () => {
  const { socket, received } = await rawConnection();
  proxy.stall();
  socket.write('PING\r\n');
  await sleep(300);
  expect(received()).toBe('');
  expect(proxy.connections()).toBe(1);

  proxy.pass();
  await eventually(() => received() === '+PONG\r\n');
  socket.destroy();
});

test('stall: a client with a command timeout times out, then works again after pass()', async () => {
  const client = await connectIoredis(proxy.url);
  client.options.commandTimeout = 300;
  proxy.stall();
  await expect(client.ping()).rejects.toThrow(/timed out/i);
  proxy.pass();
  await eventually(async () => (await client.ping()) === 'PONG');
});

test('slow: replies arrive at least the configured delay late', async () => {
  const client = await connectNodeRedis(proxy.url);
  proxy.slow(200);
  expect(proxy.mode).toBe('slow');
  const started = Date.now();
  expect(await client.ping()).toBe('PONG');
  expect(Date.now() - started).toBeGreaterThanOrEqual(200);
});

test('refuse: drops open connections and resets new ones until pass()', async () => {
  const client = await connectIoredis(proxy.url);
  const raw = await rawConnection();
  proxy.refuse();
  await raw.closed;
  expect(proxy.connections()).toBe(0);
  await expect(redisCommand(proxy, ['PING'])).rejects.toThrow();
  await eventually(() => client.status !== 'ready');

  proxy.pass();
  await eventually(async () => (await client.ping()) === 'PONG');
  expect(await redisCommand(proxy, ['PING'])).toBe('PONG');
});

test('reset: kills open connections with a TCP RST and keeps accepting', async () => {
  const client = await connectNodeRedis(proxy.url);
  const errors: string[] = [];
  client.on('error', (error: NodeJS.ErrnoException) => errors.push(String(error.code)));
  const raw = await rawConnection();
  const rawError = new Promise((resolve) => raw.socket.once('error', resolve));
  proxy.reset();
  expect(proxy.connections()).toBe(0);
  expect(await rawError).toMatchObject({ code: 'ECONNRESET' });
  await eventually(() => errors.includes('ECONNRESET'));

  expect(proxy.mode).toBe('pass');
  await eventually(async () => (await client.ping()) === 'PONG');
});

test('close() is idempotent and frees the port', async () => {
  const { port } = proxy;
  await proxy.close();
  await proxy.close();
  await expect(redisCommand({ host: '127.0.0.1', port }, ['PING'])).rejects.toThrow(/ECONNREFUSED/);
});

test("only: 'subscribers': faults hit the subscriber connection, other connections pass", async () => {
  const scoped = await startFaultProxy(server, { only: 'subscribers' });
  try {
    const commands = await connectIoredis(scoped.url);
    const subscriber = await connectIoredis(scoped.url);
    const received: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => received.push(message));
    await subscriber.subscribe('scoped');
    scoped.stall();
    await commands.publish('scoped', 'held');
    // Commands keep working: only the connection that sent SUBSCRIBE is stalled.
    expect(await commands.set('scoped-key', 'yes')).toBe('OK');
    expect(received).toEqual([]);
    scoped.pass();
    await eventually(() => received.includes('held'));
    scoped.refuse();
    // refuse closes the subscriber connection only; a resubscribe is reset as soon as it is sent.
    expect(await commands.get('scoped-key')).toBe('yes');
    await eventually(() => subscriber.status !== 'ready');
  } finally {
    await closeAllClients();
    await scoped.close();
  }
});
