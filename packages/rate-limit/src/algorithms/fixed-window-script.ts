import { defineLimiterScript } from './policy-loop';

/**
 * Fixed window: a counter per window aligned to the epoch, stored as one string
 * `<window start>:<count>` that expires when its window ends. Reading and writing it are one
 * GET and one SET PX: Redis spends its time on the few commands a script sends, so state that
 * needs one write instead of HSET + PEXPIRE makes every decision cheaper.
 */
const lua = `
local function evaluate(key, limit, window, burst, cost, now)
  local start = now - (now % window)
  local count = 0
  local stored = redis.call('GET', key)
  if stored then
    local stored_start, stored_count = string.match(stored, '^(%d+):([^:]+)$')
    if tonumber(stored_start) == start then count = tonumber(stored_count) end
  end
  return { allowed = count + cost <= limit, count = count, limit = limit, start = start, reset = start + window - now }
end
local function commit(key, d, cost, now)
  redis.call('SET', key, string.format('%d:%.17g', d.start, d.count + cost), 'PX', d.reset)
end
local function refund(key, d, cost, now)
  if d.count > 0 then
    d.count = math.max(0, d.count - cost)
    redis.call('SET', key, string.format('%d:%.17g', d.start, d.count), 'KEEPTTL')
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
