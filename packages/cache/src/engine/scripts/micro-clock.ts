/**
 * `now_us()` for scripts whose reply orders a read against a change announced on the bus: two
 * operations on one key run on one Redis node, so their µs times compare, where ms would often tie.
 * 1.7e15 µs is below 2^53: exact as a Lua number and as an integer reply. A script that needs both
 * takes `now` as `math.floor(us / 1000)` (what `now_ms()` returns), one TIME call instead of two.
 */
export const luaMicroClock = `local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
`;
