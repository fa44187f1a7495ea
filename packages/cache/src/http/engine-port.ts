/**
 * Everything the response cache takes from the data cache engine, in one place: the engine with its
 * synchronous L1 reads, and the types of its answers and options. No other file under http/ imports
 * engine/ (the layering test checks it).
 */
export { createCacheWithLocalHits } from '../engine/cache';
export type { Cache, LocalHits, WrapResult } from '../engine/cache-api';
export type { LoadContext } from '../engine/load-context';
export type { L1Options } from '../engine/options';
