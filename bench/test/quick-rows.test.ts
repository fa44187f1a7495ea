import { measuredRows } from '../src/runner/run-scenario';
import { rateLimitScenario } from '../src/scenarios/rate-limit';
import { sessionScenario } from '../src/scenarios/session';

const keysOf = (id: string, preset: 'default' | 'quick', framework?: 'express' | 'fastify') => {
  const table = [...rateLimitScenario.tables, ...sessionScenario.tables].find((one) => one.id === id);
  if (!table) throw new Error(`no table ${id}`);
  return measuredRows(table, { preset, framework }).map(({ key }) => key);
};

describe('the rows a run measures', () => {
  it('--quick keeps each table’s bare framework, anchor and main row of ours, and no detail table', () => {
    expect(keysOf('rate-limit-under', 'quick')).toEqual([
      'express-bare',
      'express-rate-limit-redis',
      'express-rw-fixed-window',
      'fastify-bare',
      'fastify-rate-limit-redis',
      'fastify-rw-fixed-window',
    ]);
    expect(keysOf('session-read', 'quick', 'fastify')).toEqual([
      'fastify-bare',
      'fastify-session-connect-redis',
      'fastify-session-rw',
    ]);
    expect(keysOf('rate-limit-dual-stack', 'quick')).toEqual([]);
  });

  it('a full run measures every row, or every row of one framework', () => {
    expect(keysOf('rate-limit-under', 'default')).toHaveLength(16);
    expect(keysOf('rate-limit-under', 'default', 'express')).toHaveLength(8);
    expect(keysOf('rate-limit-dual-stack', 'default')).toHaveLength(6);
  });
});
