import { RediwareConfigError } from './errors';

/** What a metric measures, besides a count: exporters add the unit to the name (`_bytes`, `_seconds`). */
export type MetricUnit = 'bytes' | 'seconds';

/** Labels fixed when an engine binds its metrics, such as `{ limiter: 'login' }`. */
export type MetricLabels = Readonly<Record<string, string>>;

/** A counter an engine declares: the sink turns it into a metric named after these fields. */
export interface CounterSpec {
  /** The package's part of the name: `rate_limit`, `cache`, `session`, `lock`. */
  readonly subsystem: string;
  /** Snake case, unique in the subsystem: `admitted`, `coalesced_waits`. */
  readonly name: string;
  /** One sentence on what is counted: the metric's help text. */
  readonly help: string;
  /** The unit, when the count is of bytes or seconds rather than events. */
  readonly unit?: MetricUnit;
}

/** A histogram an engine declares. */
export interface HistogramSpec extends CounterSpec {
  /** The unit of the recorded values. */
  readonly unit: MetricUnit;
  /** Upper bounds of the buckets, in `unit`. */
  readonly buckets: readonly number[];
}

/** A monotonic count bound to its labels. */
export interface Counter {
  /** Adds `amount` to the count. */
  add(amount: number): void;
}

/** A distribution bound to its labels. */
export interface Histogram {
  /** Records one observation. */
  record(value: number): void;
}

/**
 * Where engines send their metrics. An engine binds every counter once, at construction, so the
 * hot path is one call on a bound object: a sink must not build strings or objects per call.
 * `@rediware/core/prometheus` and `@rediware/core/opentelemetry` implement it.
 */
export interface MetricsSink {
  /** The counter of `spec` with `labels`, bound once. */
  counter(spec: CounterSpec, labels: MetricLabels): Counter;
  /** The histogram of `spec` with `labels`, bound once. */
  histogram(spec: HistogramSpec, labels: MetricLabels): Histogram;
}

/** A counter of one engine: keeps its own total (the engine's `metrics()` snapshot) and feeds the sink. */
export class EngineCounter {
  /** The total so far. */
  value = 0;
  readonly #sink: Counter | undefined;

  constructor(sink: Counter | undefined) {
    this.#sink = sink;
  }

  /** Adds `amount` (1 by default) to the total and to the sink's counter. */
  add(amount = 1): void {
    this.value += amount;
    this.#sink?.add(amount);
  }
}

/** A histogram of one engine: keeps count and sum locally, the buckets live in the sink. */
export class EngineHistogram {
  /** Observations so far. */
  count = 0;
  /** Sum of the observations so far. */
  sum = 0;
  readonly #sink: Histogram | undefined;

  constructor(sink: Histogram | undefined) {
    this.#sink = sink;
  }

  /** Records one observation here and in the sink's histogram. */
  record(value: number): void {
    this.count++;
    this.sum += value;
    this.#sink?.record(value);
  }
}

/** An engine's counters by name, as `bindCounters` returns them. */
export type EngineCounters<Names extends string> = { readonly [K in Names]: EngineCounter };

/**
 * Binds every counter of `specs` to `sink` once. With no sink the counters only keep their totals:
 * an increment is a field update, so engines count unconditionally.
 */
export function bindCounters<Names extends string>(
  specs: { readonly [K in Names]: CounterSpec },
  sink: MetricsSink | undefined,
  labels: MetricLabels = {},
): EngineCounters<Names> {
  const counters = {} as Record<Names, EngineCounter>;
  for (const name of Object.keys(specs) as Names[]) {
    counters[name] = new EngineCounter(sink?.counter(specs[name], labels));
  }
  return Object.freeze(counters);
}

/** Binds the histogram of `spec` to `sink` once (with no sink it only keeps count and sum). */
export function bindHistogram(
  spec: HistogramSpec,
  sink: MetricsSink | undefined,
  labels: MetricLabels = {},
): EngineHistogram {
  return new EngineHistogram(sink?.histogram(spec, labels));
}

/** The totals of `counters`, as a plain object: what an engine's `metrics()` returns. */
export function countersSnapshot<Names extends string>(
  counters: EngineCounters<Names>,
): Record<Names, number> {
  const snapshot = {} as Record<Names, number>;
  for (const name of Object.keys(counters) as Names[]) snapshot[name] = counters[name].value;
  return snapshot;
}

/** Checks the `metrics` option of an engine. */
export function checkMetricsSink(value: unknown, name = 'metrics'): MetricsSink | undefined {
  if (value === undefined) return undefined;
  const sink = value as Partial<MetricsSink> | null;
  if (
    typeof sink !== 'object' ||
    sink === null ||
    typeof sink.counter !== 'function' ||
    typeof sink.histogram !== 'function'
  ) {
    throw new RediwareConfigError(name, 'a MetricsSink (an object with counter() and histogram())', value);
  }
  return sink as MetricsSink;
}
