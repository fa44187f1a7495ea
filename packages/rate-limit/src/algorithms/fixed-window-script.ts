import { defineLimiterScript } from './policy-loop';

/**
 * Fixed window: a counter per window aligned to the epoch (hash fields s = window start, c = count).
 * The key expires when its window ends.
 */
const lua = `
local function evaluate(key, limit, window, burst, cost, now)
  local start = now - (now % window)
  local stored = redis.call('HMGET', key, 's', 'c')
  local count = 0
  if tonumber(stored[1]) == start then count = tonumber(stored[2]) or 0 end
  return { allowed = count + cost <= limit, count = count, limit = limit, start = start, reset = start + window - now }
end
local function commit(key, d, cost, now)
  redis.call('HSET', key, 's', d.start, 'c', d.count + cost)
  redis.call('PEXPIRE', key, d.reset)
end
local function refund(key, d, cost, now)
  if d.count > 0 then
    d.count = math.max(0, d.count - cost)
    redis.call('HSET', key, 'c', d.count)
  end
end
local function report(d, committed, cost)
  local used = d.count
  if committed then used = used + cost end
  local retry = 0
  if not d.allowed then retry = d.reset end
  return d.limit - used, d.reset, retry
end
`;

interface FixedWindowDecision {
  allowed: boolean;
  count: number;
  limit: number;
  start: number;
  reset: number;
}

interface FixedWindowState {
  start: number;
  count: number;
}

export const fixedWindowScript = defineLimiterScript<FixedWindowDecision>('rate-limit-fixed-window', lua, {
  evaluate(store, key, { limit, windowMs }, cost, now) {
    const start = now - (now % windowMs);
    const stored = store.get<FixedWindowState>(key);
    const count = stored?.start === start ? stored.count : 0;
    return { allowed: count + cost <= limit, count, limit, start, reset: start + windowMs - now };
  },
  commit(store, key, decision, cost) {
    store.set(key, { start: decision.start, count: decision.count + cost }, decision.reset);
  },
  refund(store, key, decision, cost) {
    const stored = store.get<FixedWindowState>(key);
    if (decision.count > 0 && stored) {
      decision.count = Math.max(0, decision.count - cost);
      stored.count = decision.count;
    }
  },
  report(decision, committed, cost) {
    const used = decision.count + (committed ? cost : 0);
    return [decision.limit - used, decision.reset, decision.allowed ? 0 : decision.reset];
  },
});
