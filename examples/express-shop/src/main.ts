import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoHints } from '../../shared/src/demo-hints';
import { redisForDemo } from '../../shared/src/redis-for-demo';
import { createShop } from './app';

const redis = await redisForDemo();
const shop = await createShop({ redis: redis.client, backend: redis.description });
const server = createServer(shop.app);
const port = Number(process.env.PORT ?? 0);
server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address() as AddressInfo;
  console.log(`rediware demo shop (Express): ${redis.description}`);
  console.log(`listening on http://127.0.0.1:${bound}/  (Ctrl-C to stop)`);
  console.log(demoHints(`http://127.0.0.1:${bound}`));
});

async function stop(): Promise<void> {
  server.closeAllConnections();
  server.close();
  await shop.close();
  await redis.close();
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
