/**
 * A metrics sink that records rediware's metrics with an OpenTelemetry meter.
 *
 * @module @rediware/core/opentelemetry
 */
import { type Attributes, type Meter, metrics, type Histogram as OtelHistogram } from '@opentelemetry/api';
import { MetricCells } from './metric-cells';
import type { CounterSpec, Histogram, HistogramSpec, MetricLabels, MetricsSink, MetricUnit } from './metrics';

/** Options of `createOpenTelemetryMetrics`. */
export interface OpenTelemetryMetricsOptions {
  /** The meter that creates the instruments. @default metrics.getMeter('@rediware/core') */
  meter?: Meter;
  /** Prefix of every instrument name. @default 'rediware.' */
  prefix?: string;
}

interface Instruments {
  counters: Map<string, MetricCells>;
  histograms: Map<string, OtelHistogram>;
}

const instrumentsByMeter = new WeakMap<Meter, Instruments>();

const units: Record<MetricUnit, string> = { bytes: 'By', seconds: 's' };

/**
 * A MetricsSink for the OpenTelemetry metrics API. Counters are observable counters read at
 * collection time (an increment costs a field update); histograms record directly.
 * Names: `<prefix><subsystem>.<name>`, with the unit as the instrument's unit.
 */
export function createOpenTelemetryMetrics(options: OpenTelemetryMetricsOptions = {}): MetricsSink {
  const meter = options.meter ?? metrics.getMeter('@rediware/core');
  const prefix = options.prefix ?? 'rediware.';
  let instruments = instrumentsByMeter.get(meter);
  if (!instruments) {
    instruments = { counters: new Map(), histograms: new Map() };
    instrumentsByMeter.set(meter, instruments);
  }
  const { counters, histograms } = instruments;
  return {
    counter(spec: CounterSpec, labels: MetricLabels) {
      const name = `${prefix}${spec.subsystem}.${spec.name}`;
      let cells = counters.get(name);
      if (!cells) {
        const own = new MetricCells();
        meter
          .createObservableCounter(name, { description: spec.help, ...unitOf(spec) })
          .addCallback((result) => {
            for (const cell of own) result.observe(cell.value, cell.labels as Attributes);
          });
        counters.set(name, own);
        cells = own;
      }
      return cells.cell(labels);
    },
    histogram(spec: HistogramSpec, labels: MetricLabels): Histogram {
      const name = `${prefix}${spec.subsystem}.${spec.name}`;
      let histogram = histograms.get(name);
      if (!histogram) {
        histogram = meter.createHistogram(name, {
          description: spec.help,
          ...unitOf(spec),
          advice: { explicitBucketBoundaries: [...spec.buckets] },
        });
        histograms.set(name, histogram);
      }
      const instrument = histogram;
      const attributes: Attributes = Object.freeze({ ...labels });
      return { record: (value) => instrument.record(value, attributes) };
    },
  };
}

function unitOf(spec: CounterSpec): { unit?: string } {
  return spec.unit ? { unit: units[spec.unit] } : {};
}
