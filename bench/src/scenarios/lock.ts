import { runHandoff } from '../handoff/handoff';
import { mainPath } from '../servers/routes';
import { bare } from './bare';
import type { Configuration, Framework, Scenario } from './scenario-types';

function lockRows(framework: Framework): Configuration[] {
  const row = (suffix: string, label: string, role: Configuration['role'], note?: string): Configuration => ({
    key: `${framework}-lock-${suffix}`,
    label,
    framework,
    role,
    server: `${framework}-lock-${suffix}`,
    path: mainPath,
    ...(note ? { note } : {}),
  });
  return [
    bare(framework, mainPath),
    row('redis-semaphore', 'redis-semaphore Mutex', 'anchor'),
    row('redlock', 'redlock 5', 'other'),
    row(
      'two-commands',
      'SET NX + DEL (reference)',
      'other',
      "each request's own two plain commands, no owner check, no token: not a lock",
    ),
    {
      ...row('rw', framework === 'express' ? 'rediware lockGuard' : 'rediware lock plugin', 'ours'),
      floorRoundTrips: 2,
    },
  ];
}

export const lockScenario: Scenario = {
  name: 'lock',
  tables: [
    {
      id: 'lock-uncontended',
      title: 'Lock, uncontended per-request key',
      description:
        'Every request takes a lock on its own key (a counter in the server) before the handler, with a 10 s ttl, and releases it when the response finishes: the cost of one acquire and one release. Each package with its defaults on one ioredis client.',
      configurations: [...lockRows('express'), ...lockRows('fastify')],
    },
  ],
  extra: ({ redis, handoffRounds }) => runHandoff(redis, handoffRounds),
};
