import { algorithms } from '../servers/algorithms';
import { blockedLimit, blockedPath, mainPath } from '../servers/routes';
import { bare } from './bare';
import { type Configuration, isMainRow, type Scenario, type Table } from './scenario-types';

/**
 * Under the limit: one plain INCR per request, a limiter reduced to one command of its own per
 * request (on the blocked route it would admit everything). Mostly blocked: the same 429 sent by
 * a bare handler, the answer without the limiter.
 */
function reference(framework: 'express' | 'fastify', path: string): Configuration[] {
  if (path === blockedPath) {
    return [
      {
        key: `${framework}-rejection-only`,
        label: 'our 429 from a bare handler (reference)',
        framework,
        role: 'other',
        server: `${framework}-rejection-only`,
        path,
        note: 'the same status, headers and body as ours, sent by the route handler: no limiter',
      },
    ];
  }
  return [
    {
      key: `${framework}-rate-limit-incr`,
      label: 'INCR per request (reference)',
      framework,
      role: 'other',
      server: `${framework}-rate-limit-incr`,
      path,
      note: 'one plain command per request, no window, no limit, no headers: not a limiter',
    },
  ];
}

function configurations(path: string): Configuration[] {
  const ours = (framework: 'express' | 'fastify'): Configuration[] =>
    algorithms.map((algorithm, index) => ({
      key: `${framework}-rw-${algorithm}`,
      label: `rediware ${algorithm}`,
      framework,
      role: 'ours',
      server: `${framework}-rw-rate-limit-${algorithm}`,
      path,
      // Mostly blocked, the block cache answers with no round trip.
      floorRoundTrips: path === blockedPath ? 0 : 1,
      ...(index > 0 ? { detail: true as const } : {}),
    }));
  return [
    bare('express', path),
    {
      key: 'express-rate-limit-redis',
      label: 'express-rate-limit + rate-limit-redis',
      framework: 'express',
      role: 'anchor',
      server: 'express-rate-limit-redis',
      path,
    },
    {
      key: 'express-rate-limiter-flexible',
      label: 'rate-limiter-flexible (RateLimiterRedis)',
      framework: 'express',
      role: 'other',
      server: 'express-rate-limiter-flexible',
      path,
    },
    ...reference('express', path),
    ...ours('express'),
    bare('fastify', path),
    {
      key: 'fastify-rate-limit-redis',
      label: '@fastify/rate-limit (Redis store)',
      framework: 'fastify',
      role: 'anchor',
      server: 'fastify-rate-limit-redis',
      path,
    },
    {
      key: 'fastify-rate-limiter-flexible',
      label: 'rate-limiter-flexible (RateLimiterRedis)',
      framework: 'fastify',
      role: 'other',
      server: 'fastify-rate-limiter-flexible',
      path,
    },
    ...reference('fastify', path),
    ...ours('fastify'),
  ];
}

/** Under the limit on dual-stack servers: the bare ceilings, the anchors and our fixed window. */
function dualStack(): Configuration[] {
  return configurations(mainPath)
    .filter(isMainRow)
    .map((row) => ({ ...row, host: '::' }));
}

const tables: Table[] = [
  {
    id: 'rate-limit-under',
    title: 'Rate limit, under the limit',
    description:
      'Every request admitted: one key (the client IP) limited far above what the run sends. Each package with its defaults, on one ioredis client.',
    configurations: configurations(mainPath),
  },
  {
    id: 'rate-limit-dual-stack',
    detail: true,
    title: 'Rate limit, under the limit, server listening on ::',
    description:
      "As under the limit, on servers listening on `::` (dual-stack, what `listen(port)` binds by default): every request comes from `::ffff:127.0.0.1`, so each package's default key reads an IPv6 address. express-rate-limit groups it with ip-address, ours with its own parser (both key it as 127.0.0.1); @fastify/rate-limit keys `request.ip` as it is.",
    configurations: dualStack(),
  },
  {
    id: 'rate-limit-blocked',
    title: 'Rate limit, mostly blocked',
    description: `The same key limited to ${blockedLimit} requests per minute: after the first ${blockedLimit}, every request is a 429. Ours answers repeat offenders from its in-process block cache (on by default); the others ask Redis every time. The reference row sends our 429 from a bare handler: what the answer itself costs, without a limiter.`,
    configurations: configurations(blockedPath),
  },
];

export const rateLimitScenario: Scenario = { name: 'rate-limit', tables };
