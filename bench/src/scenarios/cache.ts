import { runEngineBench } from '../engine/engine-bench';
import { cachePath, largeCachePath } from '../servers/routes';
import { bare } from './bare';
import type { Configuration, Framework, Scenario } from './scenario-types';

function cacheRows(framework: Framework): Configuration[] {
  const row = (suffix: string, label: string, role: Configuration['role'], note?: string): Configuration => ({
    key: `${framework}-cache-${suffix}`,
    label,
    framework,
    role,
    server: `${framework}-cache-${suffix}`,
    path: cachePath,
    ...(note ? { note } : {}),
  });
  const ours = framework === 'express' ? 'rediware responseCache' : 'rediware cache plugin';
  return [
    bare(framework, cachePath),
    row('uncached', '20 ms handler, no cache', 'other', 'every request runs the handler'),
    ...(framework === 'express' ? [row('apicache', 'apicache + redis 3', 'anchor')] : []),
    {
      ...row('rw-l1', `${ours}, L1 hit`, 'ours', 'l1: true: served from process memory'),
      floorRoundTrips: 0,
    },
    { ...row('rw-l2', `${ours}, L2 hit`, 'ours', 'no l1: every hit reads Redis'), floorRoundTrips: 1 },
    {
      ...row('rw-miss', `${ours}, miss`, 'ours', 'a key per request: look up, run the handler, store'),
      floorRoundTrips: 2,
      unlikeAnchor: true,
    },
  ];
}

const gzipClient = { 'accept-encoding': 'gzip, deflate, br' };
const identityClient = { 'accept-encoding': 'identity' };

/** The 8 KB body: clients that take gzip (browsers, fetch) and, for our hits, clients that do not. */
function largeRows(framework: Framework): Configuration[] {
  const ours = framework === 'express' ? 'rediware responseCache' : 'rediware cache plugin';
  const row = (
    server: string,
    label: string,
    role: Configuration['role'],
    client: 'gzip' | 'identity',
  ): Configuration => ({
    key: `${server}-${client}`,
    label: `${label}, ${client === 'gzip' ? 'client takes gzip' : 'client without gzip'}`,
    framework,
    role,
    server,
    path: largeCachePath,
    requestHeaders: client === 'gzip' ? gzipClient : identityClient,
  });
  return [
    { ...bare(framework, largeCachePath), requestHeaders: gzipClient },
    ...(framework === 'express'
      ? [row('express-cache-apicache', 'apicache + redis 3', 'anchor', 'gzip')]
      : []),
    row(`${framework}-cache-rw-l1`, `${ours}, L1 hit`, 'ours', 'gzip'),
    row(`${framework}-cache-rw-l1`, `${ours}, L1 hit`, 'ours', 'identity'),
    row(`${framework}-cache-rw-l2`, `${ours}, L2 hit`, 'ours', 'gzip'),
    row(`${framework}-cache-rw-l2`, `${ours}, L2 hit`, 'ours', 'identity'),
  ];
}

export const cacheScenario: Scenario = {
  name: 'cache',
  tables: [
    {
      id: 'cache',
      title: 'Response cache in front of a 20 ms handler',
      description:
        'GET /cached answers { hello: "world" } after 20 ms; the bare row answers it at once with no middleware (the ceiling). Hit rows serve the stored response (stored during warm-up, fresh for 10 minutes); the miss rows key every request apart, so each one misses, runs the handler and stores. rediware on one ioredis client; apicache on node_redis 3, the client it supports.',
      configurations: [...cacheRows('express'), ...cacheRows('fastify')],
    },
    {
      id: 'cache-large',
      detail: true,
      title: 'Response cache, an 8 KB JSON body',
      description:
        'GET /cached-large answers 8 KB of JSON (120 items) after 20 ms; the bare row answers it at once. Ours stores it gzip-compressed (above `compressAbove`, 1 KiB): a client that takes gzip (`Accept-Encoding: gzip, deflate, br`, as browsers and fetch send) gets the stored bytes, one without gzip (`Accept-Encoding: identity`, like curl or the default Java and .NET clients) the bytes decompressed. apicache and the bare route send the JSON as it is to both.',
      configurations: [...largeRows('express'), ...largeRows('fastify')],
    },
  ],
  engine: ({ redis, duration, rounds, probeRequests }) =>
    runEngineBench(redis, { duration, rounds, probeRequests }),
};
