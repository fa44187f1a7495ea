import type { HandoffResult } from '../handoff/handoff';
import type { RowResult, TableResult } from '../runner/run-scenario';
import type { RatioSpread } from '../runner/statistics';
import type { Framework } from '../scenarios/scenario-types';

/** A speed target of issue #14: one ratio of our rows in one table, at least `atLeast`. */
interface RatioTarget {
  name: string;
  table: string;
  ratio: 'vsBare' | 'vsAnchor';
  atLeast: number;
  /** The framework whose rows it holds for (both by default). */
  framework?: Framework;
  /** Which of our rows it holds for, by configuration key (every one by default). */
  rows?: (key: string) => boolean;
}

const handoffP50AtMostMs = 2;

const ratioTargets: readonly RatioTarget[] = [
  {
    name: 'rate limit, under the limit, Express: ≥ 0.9 × bare',
    table: 'rate-limit-under',
    ratio: 'vsBare',
    atLeast: 0.9,
    framework: 'express',
  },
  {
    name: 'rate limit, under the limit, Fastify: ≥ 0.7 × bare',
    table: 'rate-limit-under',
    ratio: 'vsBare',
    atLeast: 0.7,
    framework: 'fastify',
  },
  {
    name: 'rate limit, under the limit, Fastify: ≥ 1.3 × @fastify/rate-limit',
    table: 'rate-limit-under',
    ratio: 'vsAnchor',
    atLeast: 1.3,
    framework: 'fastify',
  },
  {
    name: 'rate limit, mostly blocked, Express: ≥ 1.0 × bare',
    table: 'rate-limit-blocked',
    ratio: 'vsBare',
    atLeast: 1,
    framework: 'express',
  },
  {
    name: 'rate limit, mostly blocked, Fastify: ≥ 1.0 × bare',
    table: 'rate-limit-blocked',
    ratio: 'vsBare',
    atLeast: 1,
    framework: 'fastify',
  },
  {
    name: 'session read, defaults: ≥ 1.3 × connect-redis',
    table: 'session-read',
    ratio: 'vsAnchor',
    atLeast: 1.3,
    rows: (key) => key.endsWith('-session-rw'),
  },
  {
    name: 'cache L1 hit, Express: ≥ 1.0 × bare',
    table: 'cache',
    ratio: 'vsBare',
    atLeast: 1,
    rows: (key) => key === 'express-cache-rw-l1',
  },
  {
    name: 'cache L2 hit, Express: ≥ 0.95 × apicache',
    table: 'cache',
    ratio: 'vsAnchor',
    atLeast: 0.95,
    rows: (key) => key === 'express-cache-rw-l2',
  },
  {
    name: 'lock guard, uncontended: ≥ 1.2 × redis-semaphore',
    table: 'lock-uncontended',
    ratio: 'vsAnchor',
    atLeast: 1.2,
  },
];

/**
 * Read off the median's interval (`medianInterval`): `met` when all of it clears the bar,
 * `missed` when none of it does, `within the spread` when the bar falls inside it, so this run
 * cannot tell. With up to 5 rounds the interval is the lowest and the highest round.
 */
export type Verdict = 'met' | 'missed' | 'within the spread';

export interface TargetCheck {
  target: string;
  row: string;
  /** The measured value: a ratio over rounds, or the hand-off p50 in ms. */
  value: RatioSpread;
  verdict: Verdict;
}

export function verdict(value: RatioSpread, atLeast: number): Verdict {
  if (value.interval.low >= atLeast) return 'met';
  if (value.interval.high < atLeast) return 'missed';
  return 'within the spread';
}

/** Every target the run measured, one check per row of ours it applies to. */
export function checkTargets(
  tables: readonly TableResult[],
  handoff: readonly HandoffResult[],
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const target of ratioTargets) {
    for (const { table, rows } of tables) {
      if (table.id !== target.table) continue;
      for (const row of rows.filter((one) => ours(one) && applies(target, one))) {
        const value = row[target.ratio];
        if (value === undefined) continue;
        checks.push({
          target: target.name,
          row: row.configuration.label,
          value,
          verdict: verdict(value, target.atLeast),
        });
      }
    }
  }
  for (const result of handoff.filter((one) => one.name.startsWith('rediware'))) {
    const interval = { low: result.p50, high: result.p50, confidence: 1 };
    const value = { median: result.p50, low: result.p50, high: result.p50, interval };
    checks.push({
      target: `lock hand-off p50: < ${handoffP50AtMostMs} ms`,
      row: result.name,
      value,
      verdict: result.p50 < handoffP50AtMostMs ? 'met' : 'missed',
    });
  }
  return checks;
}

function applies(target: RatioTarget, row: RowResult): boolean {
  const { framework, key } = row.configuration;
  return (target.framework ?? framework) === framework && (target.rows?.(key) ?? true);
}

function ours(row: RowResult): boolean {
  return row.configuration.role === 'ours';
}
