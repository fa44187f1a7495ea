// An Express app with the response cache in its own OS process: argv[2] is the Redis URL.
import type { AddressInfo } from 'node:net';
import express from 'express';
import Redis from 'ioredis';
import { responseCache } from '../../../src/express';

const redis = new Redis(process.argv[2] ?? '');
const cache = responseCache({ redis, ttl: '1m', minUses: 1 });
let calls = 0;
const app = express();
app.use(cache);
app.get('/hot', async (_req, res) => {
  calls++;
  // Slow enough that every concurrent request of both processes arrives while it runs.
  await new Promise((resolve) => setTimeout(resolve, 500));
  res.send(`from ${process.pid}`);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { op: string }) => {
  if (message.op === 'calls') process.send?.({ calls });
  if (message.op === 'exit') {
    server.close();
    server.closeAllConnections();
    void cache.close().finally(() => {
      redis.disconnect();
      process.exit(0);
    });
  }
});
