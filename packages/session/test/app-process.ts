/** What an app process (express-app.ts, fastify-app.ts) shares: its config, its Redis, its startup protocol. */
import type { Duration, RedisClient } from '@rediware/core';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';

/** How an app process (express-app.ts, fastify-app.ts) reaches Redis: plain data, sent in its env. */
export type WorkerRedis =
  | { kind: 'ioredis'; url: string }
  | { kind: 'node-redis'; url: string }
  | { kind: 'node-redis-cluster'; urls: string[] }
  | { kind: 'ioredis-cluster'; urls: string[] };

export interface WorkerConfig {
  redis: WorkerRedis;
  prefix: string;
  rolling?: boolean;
  touchAfter?: Duration;
  timeout?: Duration;
  /** The session cookie's maxAge in ms. */
  maxAge?: number;
  /** connect-redis's options, as plain data (fastify-app.ts only). */
  disableTouch?: boolean;
  disableTTL?: boolean;
  /** `ttl` as a function: the lifetime by the session's user, '1h' for anyone else. */
  ttlByUser?: Record<string, Duration>;
}

/** Both app processes sign cookies with it, so a cookie of one is valid on the other. */
export const workerSecret = 'a test secret of at least 32 characters';

export function readWorkerConfig(): WorkerConfig {
  return JSON.parse(process.env.RW_WORKER_CONFIG ?? '{}') as WorkerConfig;
}

export async function connectWorkerRedis(redis: WorkerRedis): Promise<RedisClient> {
  if (redis.kind === 'ioredis') {
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 }).on('error', () => {});
    await client.connect();
    return client;
  }
  if (redis.kind === 'node-redis') {
    const client = createClient({ url: redis.url }).on('error', () => {});
    await client.connect();
    return client;
  }
  if (redis.kind === 'ioredis-cluster') {
    const nodes = redis.urls.map((url) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) }));
    const client = new Cluster(nodes, { lazyConnect: true }).on('error', () => {});
    await client.connect();
    return client;
  }
  const cluster = createCluster({ rootNodes: redis.urls.map((url) => ({ url })) }).on('error', () => {});
  await cluster.connect();
  return cluster;
}

/** Tells the parent where the app listens, and exits when the parent closes stdin. */
export function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  const shutdown = () => process.exit(0);
  process.stdin.on('end', shutdown).on('close', shutdown).resume();
}

export function failStartup(error: unknown): void {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
}
