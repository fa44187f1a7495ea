import { Redis } from 'ioredis';
import { createClient } from 'redis';

/** A connected ioredis client with the library's defaults (no auto-pipelining), as users get it. */
export async function ioredisClient(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  return client;
}

export type NodeRedis = ReturnType<typeof createClient>;

/** A connected node-redis client with the library's defaults. */
export async function nodeRedisClient(url: string): Promise<NodeRedis> {
  const client = createClient({ url });
  await client.connect();
  return client;
}
