/** Compiled by `pnpm typecheck`, never run: every client kind rediware documents must be accepted as `redis`. */
import type { RedisClient } from '@rediware/core';
import type {
  IoredisClient,
  IoredisClusterClient,
  NodeRedisClient,
  NodeRedisClusterClient,
} from '@rediware/testing';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';

declare const a: NodeRedisClient;
declare const b: NodeRedisClusterClient;
declare const c: IoredisClient;
declare const d: IoredisClusterClient;
export const x1: RedisClient = a;
export const x2: RedisClient = b;
export const x3: RedisClient = c;
export const x4: RedisClient = d;
export const x5: RedisClient = createClient();
export const x6: RedisClient = createCluster({ rootNodes: [] });
export const x7: RedisClient = new Redis();
export const x8: RedisClient = new Cluster([]);
