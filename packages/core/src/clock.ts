/** A source of wall-clock milliseconds; the memory backend takes one so tests can move time. */
export type Clock = () => number;

/** The real time: `Date.now()`. */
export const systemClock: Clock = () => Date.now();

/**
 * Prepended to every Lua script: the time comes from Redis (`TIME`), so app servers with skewed
 * clocks agree. Redis 7 replicates script effects, so reading TIME before a write is safe.
 */
export const luaClock = `local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;
