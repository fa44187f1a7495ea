import { demoHints } from '../../shared/src/demo-hints';
import { redisForDemo } from '../../shared/src/redis-for-demo';
import { createShop } from './app';

const redis = await redisForDemo();
const app = await createShop({ redis: redis.client, backend: redis.description });
const url = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`rediware demo shop (Fastify): ${redis.description}`);
console.log(`listening on ${url}/  (Ctrl-C to stop)`);
console.log(demoHints(url));

async function stop(): Promise<void> {
  await app.close();
  await redis.close();
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
