import {
  bindCounters,
  bindHistogram,
  type Counter,
  type CounterSpec,
  checkMetricsSink,
  countersSnapshot,
  type MetricLabels,
  type MetricsSink,
  RediwareConfigError,
} from '../src';

const specs = {
  hits: { subsystem: 'test', name: 'hits', help: 'Hits.' },
  misses: { subsystem: 'test', name: 'misses', help: 'Misses.' },
} as const satisfies Record<string, CounterSpec>;

/** A sink that records what it was asked to bind and what it received. */
function recordingSink() {
  const bound: Array<{ name: string; labels: MetricLabels }> = [];
  const added = new Map<string, number>();
  const sink: MetricsSink = {
    counter(spec, labels): Counter {
      bound.push({ name: spec.name, labels });
      return { add: (amount) => added.set(spec.name, (added.get(spec.name) ?? 0) + amount) };
    },
    histogram(spec, labels) {
      bound.push({ name: spec.name, labels });
      return { record: (value) => added.set(spec.name, (added.get(spec.name) ?? 0) + value) };
    },
  };
  return { sink, bound, added };
}

describe('engine metrics', () => {
  it('binds every counter once with its labels and forwards each increment', () => {
    const { sink, bound, added } = recordingSink();
    const counters = bindCounters(specs, sink, { limiter: 'login' });
    expect(bound).toEqual([
      { name: 'hits', labels: { limiter: 'login' } },
      { name: 'misses', labels: { limiter: 'login' } },
    ]);
    counters.hits.add();
    counters.hits.add();
    counters.misses.add(5);
    expect(countersSnapshot(counters)).toEqual({ hits: 2, misses: 5 });
    expect(Object.fromEntries(added)).toEqual({ hits: 2, misses: 5 });
    expect(bound).toHaveLength(2);
  });

  it('counts without a sink', () => {
    const counters = bindCounters(specs, undefined);
    counters.misses.add();
    expect(countersSnapshot(counters)).toEqual({ hits: 0, misses: 1 });
    const histogram = bindHistogram(
      { subsystem: 'test', name: 'wait', unit: 'seconds', help: 'Wait.', buckets: [1] },
      undefined,
    );
    histogram.record(0.5);
    histogram.record(1.5);
    expect({ count: histogram.count, sum: histogram.sum }).toEqual({ count: 2, sum: 2 });
  });

  it('rejects a metrics option that is not a sink, naming the option', () => {
    expect(checkMetricsSink(undefined)).toBeUndefined();
    expect(() => checkMetricsSink({ counter: () => {} })).toThrow(RediwareConfigError);
    expect(() => checkMetricsSink('prometheus')).toThrow(/`metrics`: expected a MetricsSink/);
  });
});
