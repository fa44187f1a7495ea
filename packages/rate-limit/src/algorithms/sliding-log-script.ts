import type { MemoryStore } from '@rediware/core';
import { defineLimiterScript } from './policy-loop';

/**
 * Sliding log: every admitted unit of cost is one member of a sorted set scored by its time in
 * microseconds, so the count is exact over every window of length `window` ending at any instant.
 * Old members are dropped first; only admitted requests are logged (a client that keeps retrying
 * while blocked adds nothing). Members are unique even within one microsecond. Memory per key
 * grows with `limit`.
 *
 * Retry-after is exact: the time until the member that must leave for `cost` to fit leaves.
 * Reset is the time until the newest member leaves: the whole window when this request was just
 * logged, so an admitted request reads no member back. The clock is read once per script call, and
 * a key is trimmed, counted and given its expiry once per call: alone, an admitted request costs
 * TIME, ZREMRANGEBYSCORE, ZCARD, ZADD, PEXPIRE; the later requests of a batch, one ZADD each.
 */
const lua = `
-- Read once per script: the requests of one batch are simultaneous. seq keeps their members apart.
local clock_us = nil
local seq = 0
local function now_us()
  if clock_us == nil then
    local t = redis.call('TIME')
    clock_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
  end
  return clock_us
end
-- Per key, the live count once trimmed, and whether its expiry is set: at one time, a batch's
-- later requests need neither the trim, the count nor the expiry again.
local live = {}
local expiry_set = {}
-- Until the newest member leaves; read only for an answer that did not just log one.
local function reset_of(d)
  if d.used == 0 then return 0 end
  local newest = redis.call('ZRANGE', d.key, -1, -1, 'WITHSCORES')
  return (tonumber(newest[2]) + d.window_us - d.at) / 1000
end
local function evaluate(key, limit, window, burst, cost, now)
  local at = now_us()
  local window_us = window * 1000
  local used = live[key]
  if used == nil then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', at - window_us)
    used = redis.call('ZCARD', key)
    live[key] = used
  end
  local d = { key = key, allowed = used + cost <= limit, limit = limit, used = used, at = at, window_us = window_us, reset = nil, retry = 0 }
  if not d.allowed then
    local leaving = redis.call('ZRANGE', key, used + cost - limit - 1, used + cost - limit - 1, 'WITHSCORES')
    d.retry = (tonumber(leaving[2]) + window_us - at) / 1000
  end
  return d
end
local function commit(key, d, cost, now)
  for i = 1, cost do
    seq = seq + 1
    local member = string.format('%d-%d', d.at, seq)
    while redis.call('ZADD', key, 'NX', d.at, member) == 0 do member = member .. '+' end
  end
  if not expiry_set[key] then
    redis.call('PEXPIRE', key, math.ceil(d.window_us / 1000))
    expiry_set[key] = true
  end
  d.used = d.used + cost
  live[key] = d.used
  d.reset = d.window_us / 1000
end
local function refund(key, d, cost, now)
  local n = math.min(cost, d.used)
  if n > 0 then redis.call('ZPOPMAX', key, n) end
  d.used = d.used - n
  live[key] = d.used
  -- Emptied, the key is gone with its expiry: a later commit sets it again.
  expiry_set[key] = nil
end
local function report(d, committed, cost)
  return d.limit - d.used, d.reset or reset_of(d), d.retry
end
`;

interface SlidingLogDecision {
  allowed: boolean;
  limit: number;
  used: number;
  at: number;
  windowUs: number;
  reset: number;
  retry: number;
}

/** Microsecond times of admitted units, oldest first. */
type Log = number[];

function liveLog(store: MemoryStore, key: string, at: number, windowUs: number): Log {
  const log = store.get<Log>(key) ?? [];
  const firstLive = log.findIndex((time) => time > at - windowUs);
  const live = firstLive === -1 ? [] : log.slice(firstLive);
  if (live.length !== log.length) {
    if (live.length === 0) store.delete(key);
    else store.replace(key, live);
  }
  return live;
}

export const slidingLogScript = defineLimiterScript<SlidingLogDecision>('rate-limit-sliding-log', lua, {
  evaluate(store, key, { limit, windowMs }, cost, now) {
    const at = now * 1000;
    const windowUs = windowMs * 1000;
    const log = liveLog(store, key, at, windowUs);
    const used = log.length;
    const allowed = used + cost <= limit;
    const newest = log[used - 1];
    const leaving = allowed ? undefined : log[used + cost - limit - 1];
    return {
      allowed,
      limit,
      used,
      at,
      windowUs,
      reset: newest === undefined ? 0 : (newest + windowUs - at) / 1000,
      retry: leaving === undefined ? 0 : (leaving + windowUs - at) / 1000,
    };
  },
  commit(store, key, d, cost) {
    const log = [...(store.get<Log>(key) ?? []), ...Array.from({ length: cost }, () => d.at)];
    store.set(key, log, Math.ceil(d.windowUs / 1000));
    d.used += cost;
    d.reset = d.windowUs / 1000;
  },
  refund(store, key, d, cost) {
    const n = Math.min(cost, d.used);
    const log = store.get<Log>(key);
    if (n > 0 && log) store.replace(key, log.slice(0, log.length - n));
    d.used -= n;
    const newest = log?.[d.used - 1];
    d.reset = newest === undefined ? 0 : (newest + d.windowUs - d.at) / 1000;
  },
  report: (d) => [d.limit - d.used, d.reset, d.retry],
});
