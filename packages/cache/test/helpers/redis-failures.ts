import type { Counter, MetricsSink } from '@rediware/core';

/**
 * A `metrics` sink that keeps one number: the engine's `errors` counter (`rediware_cache_errors_total`),
 * one per `failure` event (and per loader failure, which a handler that never fails does not have):
 * how a response cache reports a Redis failure.
 */
export function countRedisFailures(): { metrics: MetricsSink; failures(): number } {
  let failures = 0;
  const counted: Counter = {
    add: (amount) => {
      failures += amount;
    },
  };
  const ignored = { add: () => {}, record: () => {} };
  const metrics: MetricsSink = {
    counter: (spec) => (spec.subsystem === 'cache' && spec.name === 'errors' ? counted : ignored),
    histogram: () => ignored,
  };
  return { metrics, failures: () => failures };
}
