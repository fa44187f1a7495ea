import type { HandoffResult } from '../src/handoff/handoff';
import { checkTargets, verdict } from '../src/report/targets';
import type { RowResult, TableResult } from '../src/runner/run-scenario';
import { medianInterval, type RatioSpread, ratioSpread } from '../src/runner/statistics';
import type { Configuration, Role } from '../src/scenarios/scenario-types';

/** Three rounds' spread: the median's interval is the lowest and the highest round. */
const spread = (median: number, low: number, high: number): RatioSpread => ({
  median,
  low,
  high,
  interval: { low, high, confidence: 0.75 },
});

function row(key: string, role: Role, ratios: Partial<Pick<RowResult, 'vsBare' | 'vsAnchor'>>): RowResult {
  const configuration: Configuration = {
    key,
    label: key,
    framework: key.startsWith('express') ? 'express' : 'fastify',
    role,
    server: key,
    path: '/',
  };
  return {
    configuration,
    samples: [],
    reqPerSec: 1,
    p50: 1,
    p99: 1,
    serverCpuPerRequest: 1,
    redisCpuPerRequest: 1,
    commandsPerRequest: 1,
    steal: 0,
    non2xxShare: 0,
    errors: 0,
    probe: undefined,
    vsBare: undefined,
    vsAnchor: undefined,
    cpuVsAnchor: undefined,
    ...ratios,
  };
}

const table = (id: string, rows: RowResult[]): TableResult => ({
  table: { id, title: id, description: '', configurations: rows.map((one) => one.configuration) },
  rows,
});

const handoff = (name: string, p50: number): HandoffResult => ({
  name,
  note: '',
  rounds: 10,
  p50,
  p90: p50,
  p99: p50,
  max: p50,
  commandsPerHandoff: 1,
});

describe('bench targets', () => {
  test('met when every round clears the bar, missed when none does, undecided otherwise', () => {
    expect(verdict(spread(1.1, 1.0, 1.2), 1)).toBe('met');
    expect(verdict(spread(0.9, 0.8, 0.99), 1)).toBe('missed');
    expect(verdict(spread(1.05, 0.95, 1.1), 1)).toBe('within the spread');
  });

  test("the median's interval: lowest and highest up to 5 rounds, the sign test's 95% beyond", () => {
    expect(medianInterval([3, 1, 2])).toEqual({ low: 1, high: 3, confidence: 0.75 });
    expect(medianInterval([5, 1, 4, 2, 3])).toEqual({ low: 1, high: 5, confidence: 0.9375 });
    // 9 rounds: the 2nd smallest and the 2nd largest, 1 - 2 (1 + 9) / 512 = 96.1%.
    const nine = medianInterval([9, 1, 8, 2, 7, 3, 6, 4, 5]);
    expect([nine.low, nine.high]).toEqual([2, 8]);
    expect(nine.confidence).toBeCloseTo(0.961, 3);
    // 15 rounds: the 4th, 1 - 2 (1 + 15 + 105 + 455) / 32768 = 96.5% (the 5th would be 88%).
    const fifteen = medianInterval(Array.from({ length: 15 }, (_, i) => i + 1));
    expect([fifteen.low, fifteen.high]).toEqual([4, 12]);
    expect(fifteen.confidence).toBeCloseTo(0.965, 3);
  });

  test('with many rounds, one slow round does not decide the verdict; the interval does', () => {
    const rounds = [1.12, 1.3, 0.8, 1.2, 1.15, 1.25, 1.18, 1.22, 1.1];
    const value = ratioSpread(rounds);
    expect(value?.low).toBe(0.8);
    expect(value && verdict(value, 1)).toBe('met');
    const undecided = ratioSpread([1.12, 1.3, 0.8, 0.95, 1.15, 1.25, 1.18, 1.22, 1.1]);
    expect(undecided && verdict(undecided, 1)).toBe('within the spread');
  });

  test("checks only our rows, each against its framework's targets, and our hand-off", () => {
    const checks = checkTargets(
      [
        table('rate-limit-under', [
          row('express-bare', 'bare', { vsBare: spread(1, 1, 1) }),
          row('express-rate-limit-redis', 'anchor', { vsBare: spread(0.5, 0.5, 0.5) }),
          row('express-rw-fixed-window', 'ours', { vsBare: spread(0.95, 0.91, 1.0) }),
          row('fastify-rw-fixed-window', 'ours', {
            vsBare: spread(0.6, 0.5, 0.65),
            vsAnchor: spread(1.2, 1.1, 1.35),
          }),
        ]),
        table('rate-limit-blocked', [
          row('express-rw-fixed-window', 'ours', { vsBare: spread(1.2, 1.1, 1.3) }),
          row('fastify-rw-fixed-window', 'ours', { vsBare: spread(0.9, 0.8, 1.05) }),
        ]),
        table('session-read', [
          row('express-session-rw', 'ours', { vsAnchor: spread(1.4, 1.31, 1.5) }),
          row('express-session-rw-every-touch', 'ours', { vsAnchor: spread(0.9, 0.8, 1) }),
        ]),
      ],
      [handoff('rediware lock', 1.5), handoff('redis-semaphore Mutex', 5)],
    );
    expect(checks.map(({ target, row: name, verdict: outcome }) => [target, name, outcome])).toEqual([
      ['rate limit, under the limit, Express: ≥ 0.9 × bare', 'express-rw-fixed-window', 'met'],
      ['rate limit, under the limit, Fastify: ≥ 0.7 × bare', 'fastify-rw-fixed-window', 'missed'],
      [
        'rate limit, under the limit, Fastify: ≥ 1.3 × @fastify/rate-limit',
        'fastify-rw-fixed-window',
        'within the spread',
      ],
      ['rate limit, mostly blocked, Express: ≥ 1.0 × bare', 'express-rw-fixed-window', 'met'],
      ['rate limit, mostly blocked, Fastify: ≥ 1.0 × bare', 'fastify-rw-fixed-window', 'within the spread'],
      ['session read, defaults: ≥ 1.3 × connect-redis', 'express-session-rw', 'met'],
      ['lock hand-off p50: < 2 ms', 'rediware lock', 'met'],
    ]);
  });

  test('a hand-off p50 of 2 ms or more misses', () => {
    expect(checkTargets([], [handoff('rediware lock', 2)])[0]?.verdict).toBe('missed');
  });
});
