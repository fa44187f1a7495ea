import { RediwareConfigError } from '../errors';
import type { RedisDriver } from './driver';
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
export function createDriver(
  client: unknown,
  onError: (error: Error) => void,
  option = 'redis',
): RedisDriver {
  if (typeof client !== 'object' || client === null) throw new RediwareConfigError(option, expected, client);
  if (isIoRedis(client)) return new IoRedisDriver(client, onError);
  if (isNodeRedisCluster(client)) return new NodeRedisClusterDriver(client, onError);
  if (isNodeRedisClient(client)) return new NodeRedisClientDriver(client, onError);
  throw new RediwareConfigError(option, expected, client);
}
