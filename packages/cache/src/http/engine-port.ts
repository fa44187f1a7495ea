/**
 * Everything the response cache takes from the data cache engine, in one place: the few calls it
 * makes (a narrow view the engine's object satisfies, not the engine's whole public `Cache`), and
 * the types of their answers and options. No other file under http/ imports engine/ (the layering
 * test checks it).
 */
import { createCacheWithLocalHits } from '../engine/cache';
import type { LocalHits, WrapResult } from '../engine/cache-api';
import type { GuardedLoadContext } from '../engine/load-context';
import type { CacheOptions, L1Options } from '../engine/options';
import type { WriteGuard } from '../engine/write-guard';

/** What a response's loader gets from the engine: it may skip the write, change it, or guard it. */
export type LoadContext = GuardedLoadContext;
export type { L1Options, WrapResult, WriteGuard };

/** How a stored response is kept: its windows in ms, and its tags. */
export interface StoreOptions {
  readonly ttl: number;
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
  /** Kept this long past its windows for revalidation. */
  readonly keep: number;
  readonly tags: readonly string[];
}

/** What the response cache asks of the engine. */
export interface ResponseEngine extends LocalHits {
  /** The stored bytes of `key`, else `loader`'s, run once for concurrent callers across processes. */
  wrapWithStatus<T>(
    key: string,
    loader: (context: LoadContext) => Promise<T>,
    options: { readonly tags: readonly string[] },
  ): Promise<WrapResult<T>>;
  set(key: string, value: Buffer, options: StoreOptions): Promise<void>;
  invalidate(selector: { readonly tags: readonly string[] }): Promise<void>;
  /** Redis failed (the engine reports it and fails open). */
  on(event: 'failure', listener: () => void): unknown;
  close(): Promise<void>;
}

/** The engine for a response cache: stored values are the encoded responses (bytes). */
export function createResponseEngine(options: CacheOptions): ResponseEngine {
  return createCacheWithLocalHits(options);
}
