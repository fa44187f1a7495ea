import { RediwareConfigError } from '../errors';
import type { DriverEvents, RedisDriver } from './driver';
import { IoRedisDriver, isIoRedis } from './ioredis-driver';
import {
  isNodeRedisClient,
  isNodeRedisCluster,
  NodeRedisClientDriver,
  NodeRedisClusterDriver,
} from './node-redis-driver';

const expected =
  'a node-redis client or cluster (createClient / createCluster from "redis" v4 or later) or an ioredis Redis or Cluster';

/** Wraps the user's client once; the rest of rediware only sees a RedisDriver. */
export function createDriver(client: unknown, events: DriverEvents, option = 'redis'): RedisDriver {
  if (typeof client !== 'object' || client === null) throw new RediwareConfigError(option, expected, client);
  if (isIoRedis(client)) return new IoRedisDriver(client, events);
  if (isNodeRedisCluster(client)) return new NodeRedisClusterDriver(client, events.onError);
  if (isNodeRedisClient(client)) return new NodeRedisClientDriver(client, events);
  throw new RediwareConfigError(option, expected, client);
}
