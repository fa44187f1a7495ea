import { createRequire } from 'node:module';
import { cpus, release, totalmem, type } from 'node:os';
import { type Address, redisCommand } from '@rediware/testing';

export interface Machine {
  date: string;
  cpuCount: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  redis: string;
  /** Installed versions of the load generator, the frameworks and every package compared. */
  packages: Record<string, string>;
}

const compared = [
  'autocannon',
  'express',
  'fastify',
  'express-rate-limit',
  'rate-limit-redis',
  'rate-limiter-flexible',
  '@fastify/rate-limit',
  'express-session',
  '@fastify/session',
  'connect-redis',
  'redlock',
  'redis-semaphore',
  'apicache',
  'bentocache',
  'ioredis',
  'redis',
];

function installedVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    // Packages whose exports hide package.json: find it next to the resolved entry point.
    try {
      const entry = require.resolve(name);
      const root = entry.slice(
        0,
        entry.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}/`.length,
      );
      return (require(`${root}package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  }
}

export async function describeMachine(redis: Address): Promise<Machine> {
  const info = String(await redisCommand(redis, ['INFO', 'server']));
  const processors = cpus();
  return {
    date: new Date().toISOString(),
    cpuCount: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    packages: Object.fromEntries(compared.map((name) => [name, installedVersion(name)])),
  };
}
