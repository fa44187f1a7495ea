import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  closeAllClients,
  connectIoredis,
  type RedisServer,
  pinnedRequest as request,
  startRedis,
} from '@rediware/testing';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createExpressApp } from '../src/apps';
import { dashboardQueries, queryProblems } from './dashboard-queries';
import { readPromql } from './promql-selectors';
import { scrapeLabelNames } from './scrape';

const dashboardText = readFileSync(join(__dirname, '../grafana-dashboard.json'), 'utf8');
const dashboard = JSON.parse(dashboardText);

let server: RedisServer;
let redis: Redis;
/** What the packages export, scraped after real traffic through every plugin: name → label names. */
let exported: Map<string, Set<string>>;

beforeAll(async () => {
  server = await startRedis();
  redis = (await connectIoredis(server.url)) as unknown as Redis;
  const registry = new Registry();
  const { app, close } = createExpressApp({ redis, registry });
  try {
    for (let i = 0; i < 3; i++) await request(app).get('/limited');
    for (let i = 0; i < 2; i++) await request(app).get('/cached').expect(200);
    const visitor = request.agent(app);
    for (let i = 1; i <= 2; i++) await visitor.get('/visit').expect(200, { views: i });
    await request(app).post('/job').expect(200);
    exported = await scrapeLabelNames(registry);
  } finally {
    await close();
  }
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

describe('examples/metrics/grafana-dashboard.json', () => {
  it('imports: a dashboard with the DS_PROMETHEUS input, rows and query panels on it', () => {
    expect(dashboard).toMatchObject({
      title: 'rediware',
      uid: 'rediware',
      schemaVersion: expect.any(Number),
    });
    expect(dashboard.id).toBeNull();
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    // Grafana replaces this placeholder with the datasource picked on import.
    const datasource = { type: 'prometheus', uid: `\${DS_PROMETHEUS}` };
    const ids = dashboard.panels.map((panel: { id: number }) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos).toEqual({
        h: expect.any(Number),
        w: expect.any(Number),
        x: expect.any(Number),
        y: expect.any(Number),
      });
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect({ title: panel.title, type: panel.type, datasource: panel.datasource }).toEqual({
        title: panel.title,
        type: 'timeseries',
        datasource,
      });
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target).toMatchObject({ refId: expect.any(String), expr: expect.any(String), datasource });
      }
    }
    for (const variable of dashboard.templating.list) expect(variable.datasource).toEqual(datasource);
    // Nothing of the exporting Grafana left behind (a datasource uid of one installation).
    expect(
      dashboardText.match(/"uid": "[^"]*"/g)?.filter((uid) => !/DS_PROMETHEUS|rediware|Grafana/.test(uid)),
    ).toEqual([]);
  });

  it('has one row per plugin, each querying that plugin’s metrics, and one for Redis failures', () => {
    const rows: string[] = [];
    const subsystemsByRow = new Map<string, Set<string>>();
    for (const panel of dashboard.panels) {
      if (panel.type === 'row') {
        rows.push(panel.title);
        subsystemsByRow.set(panel.title, new Set());
        continue;
      }
      for (const target of panel.targets) {
        for (const { metric } of readPromql(target.expr).selectors) {
          const subsystem = /^rediware_(rate_limit|response_cache|cache|lock|session|idempotency)_/.exec(
            metric ?? '',
          )?.[1];
          if (subsystem) subsystemsByRow.get(rows.at(-1) as string)?.add(subsystem);
        }
      }
    }
    expect(
      Object.fromEntries([...subsystemsByRow].map(([row, subsystems]) => [row, [...subsystems].sort()])),
    ).toEqual({
      'Rate limit (@rediware/rate-limit)': ['rate_limit'],
      'Response cache (@rediware/cache/express, /fastify)': ['response_cache'],
      'Data cache (@rediware/cache)': ['cache'],
      'Lock (@rediware/lock)': ['lock'],
      'Session (@rediware/session)': ['session'],
      'Idempotency (@rediware/idempotency)': ['idempotency'],
      'Redis failures (every plugin)': [
        'cache',
        'idempotency',
        'lock',
        'rate_limit',
        'response_cache',
        'session',
      ],
    });
  });

  it('queries only metrics and labels the packages export', () => {
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(30);
    // The histogram is exported as its _bucket, _sum and _count series, with `le` on the buckets.
    expect(exported.get('rediware_lock_wait_seconds_bucket')).toEqual(new Set(['le']));
    expect(exported.get('rediware_rate_limit_admitted_total')).toEqual(new Set(['limiter']));
    expect(queryProblems(queries, exported)).toEqual([]);
  });

  it("is documented: every panel's PromQL is in the core README, as the dashboard has it", () => {
    const readme = readFileSync(join(__dirname, '../../../packages/core/README.md'), 'utf8');
    const missing = dashboardQueries(dashboard).filter(({ expr }) => !readme.includes(expr));
    expect(missing).toEqual([]);
  });

  it('would catch a renamed metric, a misspelled label, a grouping label, a histogram without its suffix, a missing $job filter and a query that does not parse', () => {
    const drifted = [
      { where: 'a', expr: 'sum(rate(rediware_cache_hit_total{job=~"$job"}[$__rate_interval]))' },
      { where: 'b', expr: 'sum(rate(rediware_rate_limit_admitted_total{job=~"$job", limter="api"}[5m]))' },
      { where: 'c', expr: 'sum by (limiter) (rate(rediware_lock_acquired_total{job=~"$job"}[5m]))' },
      { where: 'd', expr: 'sum(rate(rediware_lock_waited_total{job=~"$job"}[5m])' },
      { where: 'e', expr: 'sum(rate(rediware_lock_waited_total[5m]))' },
      {
        where: 'f',
        expr: 'histogram_quantile(0.9, sum by (le) (rate(rediware_lock_wait_seconds{job=~"$job"}[5m])))',
      },
      { where: 'g', expr: 'label_values({__name__=~"redisware_.+"}, job)' },
    ];
    expect(queryProblems(drifted, exported)).toEqual([
      'a: rediware_cache_hit_total is not exported',
      'b: rediware_rate_limit_admitted_total has no label limter',
      'c: groups by limiter, which no selected metric has',
      'd: unbalanced ( at 53 in: sum(rate(rediware_lock_waited_total{job=~"$job"}[5m])',
      'e: rediware_lock_waited_total without job=~"$job"',
      'f: rediware_lock_wait_seconds is not exported',
      'f: groups by le, which no selected metric has',
      'g: no exported metric matches {__name__=~"redisware_.+"}',
    ]);
  });
});
