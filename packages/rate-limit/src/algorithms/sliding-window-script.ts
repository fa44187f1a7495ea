import { defineLimiterScript } from './policy-loop';

/**
 * Sliding window, the two-window weighted counter: the estimate is the previous window's count
 * weighted by how much of it still overlaps the sliding window, plus the current count.
 *
 * Since the current count alone never exceeds the estimate, no window aligned to `window` admits
 * more than `limit`. Between boundaries it approximates a true sliding window by assuming the
 * previous window's requests were spread evenly; 'sliding-log' is exact at a higher memory cost.
 * State is one string `<window start>:<current>:<previous>`, read with GET and written with SET PX,
 * once per script call (stateLua).
 *
 * Retry-after is the exact time until the estimate leaves room for `cost` (plus 1 ms against
 * rounding), so waiting that long and retrying succeeds if nothing else was admitted.
 */
const lua = `
local function evaluate(key, limit, window, burst, cost, clock)
  local now = clock()
  local start = now - (now % window)
  local current, previous, stored_start = 0, 0, nil
  local stored = load_state(key)
  if stored then
    local s, c, p = string.match(stored, '^(%d+):([^:]+):([^:]+)$')
    c, p = tonumber(c), tonumber(p)
    -- Counts this script cannot have written (NaN, negative, past the limit): a fresh key.
    if c and p and c >= 0 and c <= limit and p >= 0 and p <= limit then stored_start = tonumber(s) end
    if stored_start == start then
      current, previous = c, p
    elseif stored_start == start - window then
      previous = c
    end
  end
  local elapsed = now - start
  local estimate = previous * (window - elapsed) / window + current
  return { allowed = estimate + cost <= limit, limit = limit, window = window, start = start, elapsed = elapsed,
    current = current, previous = previous, estimate = estimate, stored_start = stored_start }
end
local function store_state(key, d, ttl)
  save_state(key, string.format('%d:%.17g:%.17g', d.start, d.current, d.previous), ttl)
end
local function commit(key, d, cost, now)
  d.current = d.current + cost
  store_state(key, d, d.window - d.elapsed + d.window)
  d.current = d.current - cost
end
local function refund(key, d, cost, now)
  if d.stored_start == d.start then
    d.current = math.max(0, d.current - cost)
  elseif d.stored_start == d.start - d.window then
    d.previous = math.max(0, d.previous - cost)
  else
    return
  end
  d.estimate = d.previous * (d.window - d.elapsed) / d.window + d.current
  store_state(key, d, d.window - d.elapsed + d.window)
end
local function report(d, committed, cost)
  local estimate = d.estimate
  if committed then estimate = estimate + cost end
  local retry = 0
  if not d.allowed then
    local room = d.limit - cost - d.current
    if d.previous > 0 and room >= 0 then
      retry = d.window - d.window * room / d.previous - d.elapsed
    else
      retry = d.window - d.elapsed + d.window * (1 - (d.limit - cost) / d.current)
    end
    retry = math.floor(retry) + 1
  end
  return d.limit - estimate, d.window - d.elapsed, retry
end
`;

interface SlidingWindowDecision {
  allowed: boolean;
  limit: number;
  window: number;
  start: number;
  elapsed: number;
  current: number;
  previous: number;
  estimate: number;
  storedStart: number | undefined;
}

interface SlidingWindowState {
  start: number;
  current: number;
  previous: number;
}

export const slidingWindowScript = defineLimiterScript<SlidingWindowDecision>(
  'rate-limit-sliding-window',
  lua,
  {
    evaluate(store, key, { limit, windowMs: window }, cost, now) {
      const start = now - (now % window);
      const stored = store.get<SlidingWindowState>(key);
      let current = 0;
      let previous = 0;
      if (stored?.start === start) {
        current = stored.current;
        previous = stored.previous;
      } else if (stored?.start === start - window) {
        previous = stored.current;
      }
      const elapsed = now - start;
      const estimate = (previous * (window - elapsed)) / window + current;
      return {
        allowed: estimate + cost <= limit,
        limit,
        window,
        start,
        elapsed,
        current,
        previous,
        estimate,
        storedStart: stored?.start,
      };
    },
    commit(store, key, d, cost) {
      store.set(
        key,
        { start: d.start, current: d.current + cost, previous: d.previous },
        2 * d.window - d.elapsed,
      );
    },
    refund(store, key, d, cost) {
      const stored = store.get<SlidingWindowState>(key);
      if (!stored || (d.storedStart !== d.start && d.storedStart !== d.start - d.window)) return;
      stored.current = Math.max(0, stored.current - cost);
      if (d.storedStart === d.start) d.current = Math.max(0, d.current - cost);
      else d.previous = Math.max(0, d.previous - cost);
      d.estimate = (d.previous * (d.window - d.elapsed)) / d.window + d.current;
    },
    report(d, committed, cost) {
      const estimate = d.estimate + (committed ? cost : 0);
      let retry = 0;
      if (!d.allowed) {
        const room = d.limit - cost - d.current;
        retry =
          d.previous > 0 && room >= 0
            ? d.window - (d.window * room) / d.previous - d.elapsed
            : d.window - d.elapsed + d.window * (1 - (d.limit - cost) / d.current);
        retry = Math.floor(retry) + 1;
      }
      return [d.limit - estimate, d.window - d.elapsed, retry];
    },
  },
);
