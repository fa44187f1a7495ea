import { Registry } from 'prom-client';
import { bindCounters, bindHistogram } from '../src';
import { createPrometheusMetrics } from '../src/prometheus';

const specs = {
  admitted: { subsystem: 'rate_limit', name: 'admitted', help: 'Admitted.' },
  stored: { subsystem: 'cache', name: 'stored', unit: 'bytes', help: 'Stored.' },
} as const;

describe('prom-client exporter', () => {
  it('exposes counters per label set, summed over engines that share the labels', async () => {
    const registry = new Registry();
    const sink = createPrometheusMetrics({ registry });
    const login = bindCounters(specs, sink, { limiter: 'login' });
    const api = bindCounters(specs, sink, { limiter: 'api' });
    // A second sink on the same registry shares the metrics instead of registering them twice.
    const again = bindCounters(specs, createPrometheusMetrics({ registry }), { limiter: 'api' });
    login.admitted.add();
    api.admitted.add(2);
    again.admitted.add(3);
    api.stored.add(100);
    const text = await registry.metrics();
    expect(text).toContain('# HELP rediware_rate_limit_admitted_total Admitted.');
    expect(text).toContain('# TYPE rediware_rate_limit_admitted_total counter');
    expect(text).toContain('rediware_rate_limit_admitted_total{limiter="login"} 1');
    expect(text).toContain('rediware_rate_limit_admitted_total{limiter="api"} 5');
    expect(text).toContain('rediware_cache_stored_bytes_total{limiter="api"} 100');
    login.admitted.add();
    expect(await registry.metrics()).toContain('rediware_rate_limit_admitted_total{limiter="login"} 2');
  });

  it('exposes a histogram with the spec buckets and a custom prefix', async () => {
    const registry = new Registry();
    const sink = createPrometheusMetrics({ registry, prefix: 'shop_' });
    const wait = bindHistogram(
      { subsystem: 'lock', name: 'wait', unit: 'seconds', help: 'Wait.', buckets: [0.1, 1] },
      sink,
    );
    wait.record(0.05);
    wait.record(0.5);
    const text = await registry.metrics();
    expect(text).toContain('shop_lock_wait_seconds_bucket{le="0.1"} 1');
    expect(text).toContain('shop_lock_wait_seconds_bucket{le="1"} 2');
    expect(text).toContain('shop_lock_wait_seconds_count 2');
  });
});
