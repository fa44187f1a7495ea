import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackedPackage } from './pack-packages';

/**
 * What each README's Install section tells a user to install, per framework and client, and the
 * entries that must then load. The release check installs exactly these, nothing more.
 */
export const installLines: { install: string[]; entries: string[]; fastifySmoke?: boolean }[] = [
  { install: ['@rediware/rate-limit', 'express', 'redis'], entries: ['@rediware/rate-limit/express'] },
  {
    install: ['@rediware/rate-limit', 'fastify', 'ioredis'],
    entries: ['@rediware/rate-limit', '@rediware/rate-limit/fastify'],
    fastifySmoke: true,
  },
  {
    install: ['@rediware/session', 'express-session', 'express', 'ioredis'],
    entries: ['@rediware/session/express'],
  },
  {
    install: ['@rediware/session', '@fastify/session', '@fastify/cookie', 'fastify', 'redis'],
    entries: ['@rediware/session/fastify'],
  },
  { install: ['@rediware/cache', 'ioredis'], entries: ['@rediware/cache'] },
  { install: ['@rediware/cache', 'express', 'redis'], entries: ['@rediware/cache/express'] },
  { install: ['@rediware/cache', 'fastify', 'ioredis'], entries: ['@rediware/cache/fastify'] },
  { install: ['@rediware/lock', 'ioredis'], entries: ['@rediware/lock'] },
  {
    install: ['@rediware/lock', 'express', 'ioredis'],
    entries: ['@rediware/lock', '@rediware/lock/express'],
  },
  { install: ['@rediware/lock', 'fastify', 'redis'], entries: ['@rediware/lock/fastify'] },
  {
    install: ['@rediware/idempotency', 'express', 'ioredis'],
    entries: ['@rediware/idempotency', '@rediware/idempotency/express'],
  },
  { install: ['@rediware/idempotency', 'fastify', 'redis'], entries: ['@rediware/idempotency/fastify'] },
  { install: ['@rediware/core', 'ioredis'], entries: ['@rediware/core'] },
  {
    install: ['@rediware/core', 'ioredis', 'prom-client', '@opentelemetry/api'],
    entries: ['@rediware/core', '@rediware/core/prometheus', '@rediware/core/opentelemetry'],
  },
];

/** The Install line of `name`'s README for `framework`: what a user of its quick start has installed. */
export function installLineFor(name: string | undefined, framework: 'express' | 'fastify') {
  return installLines.find(({ install }) => install[0] === name && install.includes(framework));
}

/**
 * The range the workspace tests a registry package with (a package's devDependency), so a
 * consumer installs what the tests ran; `latest` for one no package tests.
 */
export function testedRange(packed: PackedPackage[], name: string): string {
  for (const { dir } of packed) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      devDependencies?: Record<string, string>;
    };
    const range = manifest.devDependencies?.[name];
    if (range) return range;
  }
  return 'latest';
}
