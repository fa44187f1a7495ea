import { defineLimiterScript } from './policy-loop';

/**
 * Fixed window: a counter per window aligned to the epoch, one integer that expires when its
 * window ends, so a counter that exists belongs to the current window and its PTTL is the time
 * left in it. The first request of a window reads the clock and writes the counter with SET PX;
 * every later one is GET, PTTL and SET KEEPTTL of the number (no clock, no expiry to set): Redis
 * spends its time on the commands a script sends, and these are the cheapest that keep a rejected
 * request from counting. A batch reads the counter once and writes it once (stateLua).
 *
 * A counter written as `<window start>:<count>` by an earlier version (0.x before 2026-12) is read
 * and replaced by the number, so a rolling upgrade keeps counting in the same window.
 */
const lua = `
local function evaluate(key, limit, window, burst, cost, now)
  local stored = load_state(key)
  local count = tonumber(stored)
  -- A count this script cannot have written (NaN, negative, past the limit) is a fresh counter.
  if count ~= nil and not (count >= 0 and count <= limit) then count = nil end
  if count ~= nil then
    local ttl = load_ttl(key)
    if ttl > 0 then
      return { allowed = count + cost <= limit, count = count, limit = limit, fresh = false, reset = ttl }
    end
  end
  local t = now()
  local start = t - (t % window)
  local fresh = count == nil
  if stored and fresh then
    local stored_start, stored_count = string.match(stored, '^(%d+):([^:]+)$')
    if tonumber(stored_start) == start then count = tonumber(stored_count) end
  end
  count = count or 0
  return { allowed = count + cost <= limit, count = count, limit = limit, fresh = fresh, reset = start + window - t }
end
local function commit(key, d, cost, now)
  save_state(key, string.format('%.17g', d.count + cost), d.fresh and d.reset or nil)
end
local function refund(key, d, cost, now)
  if d.count > 0 then
    d.count = math.max(0, d.count - cost)
    save_state(key, string.format('%.17g', d.count))
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
  reset: number;
}

export const fixedWindowScript = defineLimiterScript<FixedWindowDecision>('rate-limit-fixed-window', lua, {
  evaluate(store, key, { limit, windowMs }, cost, now) {
    const count = store.get<number>(key) ?? 0;
    const reset = windowMs - (now % windowMs);
    return { allowed: count + cost <= limit, count, limit, reset };
  },
  commit(store, key, decision, cost) {
    if (store.has(key)) store.replace(key, decision.count + cost);
    else store.set(key, decision.count + cost, decision.reset);
  },
  refund(store, key, decision, cost) {
    if (decision.count > 0 && store.has(key)) {
      decision.count = Math.max(0, decision.count - cost);
      store.replace(key, decision.count);
    }
  },
  report(decision, committed, cost) {
    const used = decision.count + (committed ? cost : 0);
    return [decision.limit - used, decision.reset, decision.allowed ? 0 : decision.reset];
  },
});
