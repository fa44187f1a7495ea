import { connect } from 'node:net';
import { type RedisServer, redisCommand, startRedis, waitFor } from '@rediware/testing';
import { Redis } from 'ioredis';
import { type DelayProxy, startDelayProxy } from '../src/runner/delay-proxy';
import { pingRoundTrips } from '../src/runner/ping-latency';

let redis: RedisServer;
let proxy: DelayProxy;
beforeAll(async () => {
  redis = await startRedis();
  proxy = await startDelayProxy(redis);
});
afterAll(async () => {
  await proxy.close();
  await redis.stop();
});

const connectedClients = async (): Promise<number> =>
  Number(/connected_clients:(\d+)/.exec(String(await redisCommand(redis, ['INFO', 'clients'])))?.[1]);

describe('the delay proxy', () => {
  it('adds at least the RTT to every round trip, set while it runs', async () => {
    const straight = Math.min(...(await pingRoundTrips(redis, 50)));
    proxy.rttMs = 2;
    // The fastest PING through the proxy against the fastest straight to Redis: what it added.
    expect(Math.min(...(await pingRoundTrips(proxy, 50))) - straight).toBeGreaterThanOrEqual(2);
    // Half an RTT each way: 0.3 ms is below Node's timer resolution and still held.
    proxy.rttMs = 0.6;
    expect(Math.min(...(await pingRoundTrips(proxy, 50))) - straight).toBeGreaterThanOrEqual(0.6);
  });

  it('keeps the order of 1,000 pipelined commands and their replies', async () => {
    proxy.rttMs = 1;
    const client = new Redis(proxy.url);
    try {
      const replies = await Promise.all(
        Array.from({ length: 1000 }, (_, index) => client.echo(`reply ${index}`)),
      );
      expect(replies).toEqual(Array.from({ length: 1000 }, (_, index) => `reply ${index}`));
      // And the stream stays whole after a burst of every size: 1,000 INCRs counted in order.
      const counts = await Promise.all(Array.from({ length: 1000 }, () => client.incr('counter')));
      expect(counts).toEqual(Array.from({ length: 1000 }, (_, index) => index + 1));
    } finally {
      client.disconnect();
    }
  });

  it('closes the Redis side when the client leaves, and the client side when Redis does', async () => {
    proxy.rttMs = 1;
    // Only the connection that asks (the earlier tests' clients are gone).
    const before = 1;
    await waitFor(async () => (await connectedClients()) === before);
    const socket = connect({ host: proxy.host, port: proxy.port });
    socket.setEncoding('latin1');
    let received = '';
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('PING\r\n');
    await waitFor(() => received === '+PONG\r\n');
    expect(await connectedClients()).toBe(before + 1);
    // QUIT: Redis answers, then closes; the reply arrives before the close.
    socket.write('QUIT\r\n');
    await closed;
    expect(received).toBe('+PONG\r\n+OK\r\n');
    await waitFor(async () => (await connectedClients()) === before);

    const leaving = connect({ host: proxy.host, port: proxy.port });
    leaving.write('PING\r\n');
    await new Promise((resolve) => leaving.once('data', resolve));
    expect(await connectedClients()).toBe(before + 1);
    leaving.destroy();
    await waitFor(async () => (await connectedClients()) === before);
    await waitFor(() => proxy.connections() === 0);
  });
});
