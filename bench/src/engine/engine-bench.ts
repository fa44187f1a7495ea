import type { Address } from '@rediware/testing';
import { batchReadContenders, batchReadTable } from './batch-read';
import { type EngineSettings, type EngineTable, measureEngine } from './measure';
import { wrapContenders, wrapTable } from './wrap-vs-bentocache';

/** The cache engine's own rows (no HTTP): batch reads, and wrap against bentocache. */
export async function runEngineBench(redis: Address, settings: EngineSettings): Promise<EngineTable[]> {
  return [
    { ...batchReadTable, rows: await measureEngine(batchReadContenders, redis, settings) },
    { ...wrapTable, rows: await measureEngine(wrapContenders, redis, settings) },
  ];
}
