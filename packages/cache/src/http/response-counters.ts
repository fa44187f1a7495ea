import { bindCounters, type MetricsSink } from '@rediware/core';
import type { CacheDecision } from './cache-decision';
import { responseCacheMetricSpecs } from './response-cache-metrics';
import type { Admission } from './store-admission';

/** What a response cache's `stats()` counts, per X-Cache, since it was created. */
export interface ResponseCacheStats {
  /** Requests answered with a fresh stored response (`X-Cache: HIT`). */
  hits: number;
  /** Requests answered with a stale stored response (`X-Cache: STALE`). */
  stale: number;
  /** Requests that ran the handler through the cache (its response stored or not). */
  misses: number;
  /** Requests the cache did not handle (`X-Cache: BYPASS`). */
  bypasses: number;
  /** Storable responses not stored: their key had not been asked `minUses` times yet. */
  unadmitted: number;
  /** Storable responses not stored: `maxEntries` or `maxMemoryUsage` was reached. */
  overBudget: number;
  /** Storable responses not stored: the admission check failed (Redis error or timeout). */
  admissionErrors: number;
}

/** The stats and metrics counter of each reason a storable response was not stored. */
const refusals = {
  unadmitted: 'unadmitted',
  'over-budget': 'overBudget',
  failed: 'admissionErrors',
} as const satisfies Record<Exclude<Admission, 'stored'>, keyof ResponseCacheStats>;

/** Counts each answer and each storable response not stored, in `stats()` and the metrics sink alike. */
export class ResponseCounters {
  readonly #stats: ResponseCacheStats = {
    hits: 0,
    stale: 0,
    misses: 0,
    bypasses: 0,
    unadmitted: 0,
    overBudget: 0,
    admissionErrors: 0,
  };
  readonly #metrics;

  constructor(sink: MetricsSink | undefined) {
    this.#metrics = bindCounters(responseCacheMetricSpecs, sink);
  }

  decided(decision: CacheDecision): void {
    if (decision.action === 'bypass') {
      this.#stats.bypasses++;
      this.#metrics.bypass.add();
    } else if (decision.action === 'run') {
      this.#stats.misses++;
      this.#metrics.misses.add();
    } else if (decision.reply.headers['x-cache'] === 'STALE') {
      this.#stats.stale++;
      this.#metrics.stale.add();
    } else this.hit();
  }

  /** A fresh stored response served (from L1 too); a 304 from the cache is a hit. */
  hit(): void {
    this.#stats.hits++;
    this.#metrics.hits.add();
  }

  refused(admission: Exclude<Admission, 'stored'>): void {
    const counter = refusals[admission];
    this.#stats[counter]++;
    this.#metrics[counter].add();
  }

  stats(): ResponseCacheStats {
    return { ...this.#stats };
  }
}
