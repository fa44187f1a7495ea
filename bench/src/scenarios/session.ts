import { mainPath } from '../servers/routes';
import { bare } from './bare';
import type { Configuration, Framework, Scenario } from './scenario-types';

function sessionRows(framework: Framework): Configuration[] {
  const name = framework === 'express' ? 'express-session' : '@fastify/session';
  const row = (suffix: string, label: string, role: Configuration['role'], note?: string): Configuration => ({
    key: `${framework}-session-${suffix}`,
    label: `${name} + ${label}`,
    framework,
    role,
    server: `${framework}-session-${suffix}`,
    path: mainPath,
    session: true,
    ...(note ? { note } : {}),
  });
  return [
    bare(framework, mainPath),
    row('memory', 'MemoryStore', 'other', 'in-process store: the ceiling of any store'),
    row('connect-redis', 'connect-redis 10', 'anchor'),
    {
      ...row(
        'rw',
        'rediware RedisStore',
        'ours',
        "defaults (touchAfter '1m', at most a tenth of the lifetime)",
      ),
      floorRoundTrips: 1,
    },
    {
      ...row(
        'rw-every-touch',
        'rediware RedisStore, touchAfter 0',
        'ours',
        'every touch writes, as connect-redis',
      ),
      detail: true,
    },
  ];
}

export const sessionScenario: Scenario = {
  name: 'session',
  tables: [
    {
      id: 'session-read',
      title: 'Session, read-only request with an existing session',
      description:
        'The session is created during warm-up (GET /login) and its cookie sent with every request; the handler reads it and changes nothing. express-session: resave false, saveUninitialized false, cookie maxAge 1 day, so each request is a get plus a touch. @fastify/session: its default rolling: true, so each request is a get plus a save; secure: false (plain HTTP). Both Redis stores on one node-redis client (connect-redis 10 supports no other).',
      configurations: [...sessionRows('express'), ...sessionRows('fastify')],
    },
  ],
};
