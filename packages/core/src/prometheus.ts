/**
 * A metrics sink that records rediware's metrics in a prom-client registry.
 *
 * @module @rediware/core/prometheus
 */
import { Counter as PromCounter, Histogram as PromHistogram, type Registry, register } from 'prom-client';
import { MetricCells } from './metric-cells';
import type { CounterSpec, Histogram, HistogramSpec, MetricLabels, MetricsSink } from './metrics';

/** Options of `createPrometheusMetrics`. */
export interface PrometheusMetricsOptions {
  /** The registry the metrics are registered in. @default prom-client's global `register` */
  registry?: Registry;
  /** Prefix of every metric name. @default 'rediware_' */
  prefix?: string;
}

interface Families {
  counters: Map<string, MetricCells>;
  histograms: Map<string, PromHistogram>;
}

/** One set per registry, so several sinks (or engines) on one registry share each metric. */
const familiesByRegistry = new WeakMap<Registry, Families>();

/**
 * A MetricsSink for prom-client. Counters are read at scrape time (an increment costs a field
 * update); histograms observe directly. Names: `<prefix><subsystem>_<name>[_<unit>]_total`.
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): MetricsSink {
  const registry = options.registry ?? register;
  const prefix = options.prefix ?? 'rediware_';
  let families = familiesByRegistry.get(registry);
  if (!families) {
    families = { counters: new Map(), histograms: new Map() };
    familiesByRegistry.set(registry, families);
  }
  const { counters, histograms } = families;
  return {
    counter(spec: CounterSpec, labels: MetricLabels) {
      const name = `${metricName(prefix, spec)}_total`;
      let cells = counters.get(name);
      if (!cells) {
        const own = new MetricCells();
        new PromCounter({
          name,
          help: spec.help,
          labelNames: Object.keys(labels),
          registers: [registry],
          collect() {
            this.reset();
            for (const cell of own) this.inc(cell.labels, cell.value);
          },
        });
        counters.set(name, own);
        cells = own;
      }
      return cells.cell(labels);
    },
    histogram(spec: HistogramSpec, labels: MetricLabels): Histogram {
      const name = metricName(prefix, spec);
      let metric = histograms.get(name);
      if (!metric) {
        metric = new PromHistogram({
          name,
          help: spec.help,
          labelNames: Object.keys(labels),
          buckets: [...spec.buckets],
          registers: [registry],
        });
        histograms.set(name, metric);
      }
      const bound = metric.labels({ ...labels });
      return { record: (value) => bound.observe(value) };
    },
  };
}

function metricName(prefix: string, spec: CounterSpec): string {
  return `${prefix}${spec.subsystem}_${spec.name}${spec.unit ? `_${spec.unit}` : ''}`;
}
