import type { CacheState } from './cache-state';
import { locate } from './location';

/** `localHit` (see `LocalHits`): a fresh L1 entry, decoded once per stored value, handed to `use`. */
export function localHit<D, R>(
  state: CacheState,
  key: string,
  decode: (bytes: Buffer) => D,
  use: (decoded: D, ageMs: number) => R | undefined,
): R | undefined {
  if (!state.l1) return undefined;
  state.bus.start();
  const local = state.l1.fresh(locate(state, key, undefined).entryKey);
  if (local?.value.kind !== 'b') return undefined;
  let decoded = state.decoded.get(local.value);
  if (decoded?.decode !== decode) {
    decoded = { decode, value: decode(local.value.bytes) };
    state.decoded.set(local.value, decoded);
  }
  const result = use(decoded.value as D, Date.now() - local.createdAt);
  if (result !== undefined) state.metrics.hits.add();
  return result;
}
