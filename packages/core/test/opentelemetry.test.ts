import { type DataPoint, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { bindCounters, bindHistogram } from '../src';
import { createOpenTelemetryMetrics } from '../src/opentelemetry';

/** Collects on demand, like a Prometheus pull, with no timer. */
class InMemoryReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function collected(reader: InMemoryReader) {
  const { resourceMetrics } = await reader.collect();
  const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  return new Map(metrics.map((metric) => [metric.descriptor.name, metric]));
}

describe('OpenTelemetry exporter', () => {
  it('reports counters as observable counters with their attributes, and the wait histogram', async () => {
    const reader = new InMemoryReader();
    const provider = new MeterProvider({ readers: [reader] });
    const sink = createOpenTelemetryMetrics({ meter: provider.getMeter('test') });
    const counters = bindCounters({ hits: { subsystem: 'cache', name: 'hits', help: 'Hits.' } }, sink, {
      cache: 'products',
    });
    const wait = bindHistogram(
      { subsystem: 'lock', name: 'wait', unit: 'seconds', help: 'Wait.', buckets: [0.1, 1] },
      sink,
    );
    counters.hits.add();
    counters.hits.add(2);
    wait.record(0.5);
    const metrics = await collected(reader);
    const hits = metrics.get('rediware.cache.hits');
    expect(hits?.descriptor.description).toBe('Hits.');
    expect(hits?.dataPoints.map((point) => [point.value, point.attributes])).toEqual([
      [3, { cache: 'products' }],
    ]);
    const histogram = metrics.get('rediware.lock.wait');
    expect(histogram?.descriptor.unit).toBe('s');
    const point = histogram?.dataPoints[0] as DataPoint<Histogram>;
    expect(point.value.count).toBe(1);
    expect(point.value.buckets.boundaries).toEqual([0.1, 1]);
    expect(point.value.buckets.counts).toEqual([0, 1, 0]);
    counters.hits.add();
    expect((await collected(reader)).get('rediware.cache.hits')?.dataPoints[0]?.value).toBe(4);
    await provider.shutdown();
  });
});
