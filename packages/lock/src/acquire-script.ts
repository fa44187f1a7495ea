import type { MemoryScriptContext } from '@rediware/core';
import { type Holders, liveSemaphore, storeSemaphore } from './holder-state';
import { permitMembers, permitsOf } from './permits';

/** `[1, fencingToken]` when taken, `[0, msUntilASlotFrees]` when busy. */
export type AcquireReply = [taken: 0 | 1, tokenOrRetryAfterMs: number];

/**
 * The acquire operation of the lock script (lock-ops-script.ts), a Lua function: takes every
 * holder key or none. Its keys are `KEYS[base + 1 .. base + 2n + 1]`: n holder keys, their n
 * per-key fencing counters, then the fencing counter of their slot. A mutex (limit 1) is
 * `SET NX PX`; a semaphore is a sorted set of owners scored by expiry, one member per permit: an
 * owner that takes p permits (`<uuid>*<p>`, permits.ts) adds itself and `<owner>#2` ..
 * `<owner>#p`, all with one score, so ZCARD counts the permits in use.
 *
 * The fencing token is the slot's counter plus one: strictly increasing for every key of the
 * slot, so for each key. The counter never expires, and there is one per slot, not one per key.
 * A missing counter (never made, or lost to a FLUSHALL, a restart without persistence or an
 * eviction) starts at Redis's clock in microseconds (`fence_seed`), not at 1: a counter only
 * grows by one per acquisition, far slower than a million a second, so every token it gave
 * before it was lost is below the clock now, and tokens never repeat or go back. (~1.8e15: exact
 * as a Lua double and a JavaScript number, below 2^53.)
 *
 * A per-key counter is what earlier builds used: where one exists (a key an earlier build locked,
 * or one still running during an upgrade) the token is also above it and is written to it, so
 * tokens of both versions keep one order; none is ever created. The common case, one free mutex
 * key, is `SET NX PX`, `INCR` and a `GET` that finds no per-key counter: a key that exists (a
 * holder, or a semaphore's set) fails the SET and takes the general path, the only one that
 * reads the clock (besides a missing counter).
 */
export const acquireLua = `
local function fence_seed()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function acquire(base, n, owner, ttl, limit)
  local slot_fence = KEYS[base + 2 * n + 1]
  if n == 1 and limit == 1 and redis.call('SET', KEYS[base + 1], owner, 'NX', 'PX', ttl) then
    local token = redis.call('INCR', slot_fence)
    -- 1: the counter was missing (it never holds 0).
    if token == 1 then
      token = fence_seed()
      redis.call('SET', slot_fence, token)
    end
    local own = tonumber(redis.call('GET', KEYS[base + 2]))
    if own then
      if own >= token then
        token = own + 1
        redis.call('SET', slot_fence, token)
      end
      redis.call('SET', KEYS[base + 2], token)
    end
    return { 1, token }
  end
  local now = now_ms()
  local permits = permits_of(owner)
  local busy, retry = false, 0
  for i = base + 1, base + n do
    local key = KEYS[i]
    local kind = redis.call('TYPE', key).ok
    local left = -1
    if kind == 'zset' then
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
      local count = redis.call('ZCARD', key)
      if count + permits > limit then
        -- Free once all but limit - permits permits are gone: the expiry at rank count + permits - limit - 1.
        local rank = count + permits - limit - 1
        local freeing = redis.call('ZRANGE', key, rank, rank, 'WITHSCORES')
        left = math.max(tonumber(freeing[2]) - now, 0)
      end
    elseif kind ~= 'none' then
      -- A mutex holder: busy for a semaphore caller too, until it expires.
      left = math.max(redis.call('PTTL', key), 0)
    end
    if left >= 0 then
      busy = true
      if left > retry then retry = left end
    end
  end
  if busy then return { 0, retry } end
  local token = tonumber(redis.call('GET', slot_fence)) or fence_seed() - 1
  local owns = {}
  for i = base + n + 1, base + 2 * n do
    local own = tonumber(redis.call('GET', KEYS[i]))
    owns[i] = own ~= nil
    if own and own > token then token = own end
  end
  token = token + 1
  redis.call('SET', slot_fence, token)
  for i = base + 1, base + n do
    local key = KEYS[i]
    if limit == 1 then
      redis.call('SET', key, owner, 'NX', 'PX', ttl)
    else
      for _, member in ipairs(permit_members(owner)) do redis.call('ZADD', key, now + ttl, member) end
      local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
      redis.call('PEXPIRE', key, tonumber(last[2]) - now)
    end
    if owns[i + n] then redis.call('SET', KEYS[i + n], token) end
  end
  return { 1, token }
end
`;

/** The memory backend's twin of `acquire`, on the operation's keys: holders, per-key counters, slot counter. */
export function acquireMemory(
  { store, now }: MemoryScriptContext,
  keys: readonly string[],
  owner: string,
  ttl: number,
  limit: number,
): AcquireReply {
  const n = (keys.length - 1) / 2;
  const slotFence = keys[2 * n] as string;
  let busy = false;
  let retry = 0;
  for (const key of keys.slice(0, n)) {
    let left = -1;
    const holders = store.get<Holders>(key);
    if (holders instanceof Map) {
      const expiries = [...(liveSemaphore(store, key, now)?.values() ?? [])].sort((a, b) => a - b);
      const freeing = expiries[expiries.length + permitsOf(owner) - limit - 1];
      if (freeing !== undefined) left = Math.max(freeing - now, 0);
    } else if (holders !== undefined) {
      left = Math.max(store.ttl(key), 0);
    }
    if (left >= 0) {
      busy = true;
      retry = Math.max(retry, left);
    }
  }
  if (busy) return [0, retry];
  const owns = keys.slice(n, 2 * n).filter((fence) => store.has(fence));
  // A missing counter starts at the clock in microseconds, as fence_seed() does in Lua.
  const slotToken = store.get<number>(slotFence) ?? now * 1000 - 1;
  const token = Math.max(slotToken, ...owns.map((fence) => store.get<number>(fence) ?? 0)) + 1;
  store.set(slotFence, token);
  for (const fence of owns) store.set(fence, token);
  keys.slice(0, n).forEach((key) => {
    if (limit === 1) store.set(key, owner, ttl);
    else {
      const holders = liveSemaphore(store, key, now) ?? new Map<string, number>();
      for (const member of permitMembers(owner)) holders.set(member, now + ttl);
      storeSemaphore(store, key, holders, now);
    }
  });
  return [1, token];
}
