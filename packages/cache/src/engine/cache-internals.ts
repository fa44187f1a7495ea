import type { Backend, EngineCounters, RediwareEmitter, RediwareError } from '@rediware/core';
import type { EncodedValue } from '../codec/value-codec';
import type { CacheEvents, WrapStatus } from './cache-api';
import type { cacheMetricSpecs } from './cache-metrics';
import type { InvalidationBus } from './invalidation-bus';
import type { L1Fill, L1Tier } from './l1-tier';
import type { Location } from './location';
import type { CacheConfig } from './options';
import type { Outcome } from './outcome';
import type { Read } from './read';
import type { SingleFlight } from './single-flight';
import type { VersionStamps } from './version-stamps';
import type { WakeSignals } from './wake-signals';

/**
 * The parts of one cache instance that its batch operations share with `get`, `set` and `wrap`:
 * the same tiers, bus, single flight and wake-ups, so a batch and a single call for one key
 * coordinate with each other.
 */
export interface CacheInternals {
  readonly config: CacheConfig;
  readonly backend: Backend;
  readonly l1: L1Tier | undefined;
  readonly bus: InvalidationBus;
  readonly flights: SingleFlight;
  readonly signals: WakeSignals;
  readonly events: RediwareEmitter<CacheEvents>;
  readonly metrics: EngineCounters<keyof typeof cacheMetricSpecs>;
  /** Background refreshes, awaited by close(). */
  readonly background: Set<Promise<unknown>>;
  readonly stamps: VersionStamps;
  locate(key: string, namespace: string | undefined): Location;
  stampKeys(location: Location, tags: readonly string[]): string[];
  /** The stored form of a value; undefined when not cacheable (oversize reported). */
  encode(location: Location, value: unknown): EncodedValue | undefined;
  beginFill(location: Location): L1Fill | undefined;
  fillL1(fill: L1Fill | undefined, read: Read): void;
  /** Gives a loader lock back without writing and wakes the waiters. */
  release(location: Location, token: string): Promise<void>;
  reportFailure(operation: string, error: RediwareError, failedOpen: boolean): void;
  count(status: WrapStatus): void;
  valueOf(outcome: Outcome): unknown;
}
