import { type Address, redisCommand } from '@rediware/testing';

/**
 * The redis-server's CPU time so far in µs (user + system, `INFO cpu`): the difference over a
 * load is what the load cost Redis, whatever else the machine was doing meanwhile.
 */
export async function redisCpuMicros(redis: Address): Promise<number> {
  const info = String(await redisCommand(redis, ['INFO', 'cpu']));
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}
