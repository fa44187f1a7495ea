import { spawnSync } from 'node:child_process';
import { type RedisServer, startRedis } from '@rediware/testing';
import { Redis } from 'ioredis';

export interface DemoRedis {
  client: Redis | undefined;
  /** One line saying where the data lives. */
  description: string;
  close(): Promise<void>;
}

/** REDIS_URL if set; else a redis-server of its own if one is on PATH; else the memory backend. */
export async function redisForDemo(): Promise<DemoRedis> {
  const url = process.env.REDIS_URL;
  let server: RedisServer | undefined;
  if (url === undefined) {
    if (spawnSync('redis-server', ['--version']).status !== 0) {
      return {
        client: undefined,
        description: 'no REDIS_URL and no redis-server on PATH: running on the in-process memory backend',
        close: async () => {},
      };
    }
    server = await startRedis();
  }
  const target = url ?? (server as RedisServer).url;
  const client = new Redis(target);
  client.on('error', (error) => console.error(`redis: ${error.message}`));
  return {
    client,
    description: url ? `using Redis at ${url}` : `started its own redis-server at ${target}`,
    close: async () => {
      client.disconnect();
      await server?.stop();
    },
  };
}
