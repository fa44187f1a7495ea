import type { MemoryStore } from '@rediware/core';
import { defineLimiterScript } from './policy-loop';

/**
 * Token bucket: `limit` tokens are added every `window`, continuously, up to `burst`. The level is
 * computed from the elapsed time on every call and written (one string `<tokens>:<when>`, SET PX)
 * only when tokens are taken or given back (once per script call, stateLua), with full precision,
 * so no rounding drift builds up.
 * The key expires when the bucket would be full again, since a full bucket needs no state.
 */
const lua = `
local function evaluate(key, limit, window, burst, cost, clock)
  local now = clock()
  local rate = limit / window
  local tokens = burst
  local stored = load_state(key)
  -- State it cannot read (not written by this script) is a full bucket, written again when used.
  local level, at = nil, nil
  if stored then
    local l, a = string.match(stored, '^([^:]+):(%d+)$')
    level, at = tonumber(l), tonumber(a)
  end
  if level and at and level >= 0 and level <= burst then
    tokens = math.min(burst, level + math.max(0, now - at) * rate)
  end
  return { allowed = tokens >= cost, tokens = tokens, burst = burst, rate = rate }
end
local function store_level(key, d, now)
  local ttl = math.max(1, math.ceil((d.burst - d.tokens) / d.rate))
  save_state(key, string.format('%.17g:%d', d.tokens, now), ttl)
end
local function commit(key, d, cost, now)
  d.tokens = d.tokens - cost
  store_level(key, d, now())
end
local function refund(key, d, cost, now)
  d.tokens = math.min(d.burst, d.tokens + cost)
  store_level(key, d, now())
end
local function report(d, committed, cost)
  local retry = 0
  if not d.allowed then retry = math.floor((cost - d.tokens) / d.rate) + 1 end
  return d.tokens, (d.burst - d.tokens) / d.rate, retry
end
`;

interface TokenBucketDecision {
  allowed: boolean;
  tokens: number;
  burst: number;
  rate: number;
}

interface TokenBucketState {
  tokens: number;
  at: number;
}

function storeLevel(store: MemoryStore, key: string, d: TokenBucketDecision, now: number): void {
  store.set(key, { tokens: d.tokens, at: now }, Math.max(1, Math.ceil((d.burst - d.tokens) / d.rate)));
}

export const tokenBucketScript = defineLimiterScript<TokenBucketDecision>('rate-limit-token-bucket', lua, {
  evaluate(store, key, { limit, windowMs, burst }, cost, now) {
    const rate = limit / windowMs;
    const stored = store.get<TokenBucketState>(key);
    const tokens = stored ? Math.min(burst, stored.tokens + Math.max(0, now - stored.at) * rate) : burst;
    return { allowed: tokens >= cost, tokens, burst, rate };
  },
  commit(store, key, d, cost, now) {
    d.tokens -= cost;
    storeLevel(store, key, d, now);
  },
  refund(store, key, d, cost, now) {
    d.tokens = Math.min(d.burst, d.tokens + cost);
    storeLevel(store, key, d, now);
  },
  report(d, _committed, cost) {
    const retry = d.allowed ? 0 : Math.floor((cost - d.tokens) / d.rate) + 1;
    return [d.tokens, (d.burst - d.tokens) / d.rate, retry];
  },
});
