import { defineScript, type MemoryStore, type Script, type ScriptArg } from '@rediware/core';
import type { Policy, PolicyReply, ScriptMode } from './policy';

/**
 * Every algorithm is one script deciding all policies of a request at once: each policy is
 * evaluated without writing, then written only if every policy admits the request (consume), or
 * credited back (refund), or left alone (peek). A rejected request therefore consumes nothing.
 *
 * An algorithm supplies, in Lua, `evaluate(key, limit, window, burst, cost, now)` returning a
 * table { allowed, state... }, `commit(key, d, cost, now)`, `refund(key, d, cost, now)` and
 * `report(d, committed, cost)` returning remaining, reset_ms, retry_ms; and the same four in TypeScript.
 * In Lua `now` is a function (Redis time in ms, read on first call), in TypeScript the number. A
 * request with one policy, the common case, takes a branch without the loop's tables. An optional
 * last argument, the batch size, decides that many requests of the same cost one after another;
 * the reply then holds each request's decisions in turn.
 *
 * An algorithm whose state is one string per key reads and writes it through `load_state`,
 * `load_ttl` and `save_state` (stateLua): one script call reads a key once and writes it once, at
 * the end, however many requests of a batch it decides, so a hot key costs Redis one GET and one
 * SET per call, not per request.
 */
const stateLua = `
local loaded = {}
local changed = {}
-- The key's string (false when missing), read from Redis once per call.
local function load_state(key)
  local entry = loaded[key]
  if entry == nil then
    entry = { value = redis.call('GET', key) }
    loaded[key] = entry
  end
  return entry.value
end
-- The key's PTTL once per call (the clock stands still in a call); after save_state with a ttl, that ttl.
local function load_ttl(key)
  local entry = loaded[key]
  if entry.ttl == nil then entry.ttl = redis.call('PTTL', key) end
  return entry.ttl
end
-- Written when the call ends; without a ttl the key keeps its expiry.
local function save_state(key, value, ttl)
  local entry = loaded[key] or {}
  loaded[key] = entry
  entry.value = value
  if ttl ~= nil then
    entry.ttl = ttl
    entry.expires = true
  end
  changed[key] = entry
end
local function flush_state()
  for key, entry in pairs(changed) do
    if entry.expires then
      redis.call('SET', key, entry.value, 'PX', entry.ttl)
    else
      redis.call('SET', key, entry.value, 'KEEPTTL')
    end
  end
end
`;
const loopLua = `
local mode = ARGV[1]
local cost = tonumber(ARGV[2])
local policies = #KEYS
-- continueExceeding: a last key, the hold, set for hold_ms by every rejected consume; while it
-- lives every consume is rejected and sets it again. Given with the batch size always.
local hold_key = nil
local hold_ms = 0
if #ARGV == 3 * #KEYS + 1 then
  policies = #KEYS - 1
  hold_key = KEYS[#KEYS]
  hold_ms = tonumber(ARGV[#ARGV])
end
-- Consumes of one key and cost that arrived together: decided one after another, as if sent so.
local batch = tonumber(ARGV[3 + 3 * policies]) or 1
-- The clock is read once, and only by an algorithm that needs it (a fixed window's counter knows its
-- own end from its expiry): TIME costs Redis as much as the rest of a decision.
local clock_ms = nil
local function now()
  if clock_ms == nil then clock_ms = now_ms() end
  return clock_ms
end
local reply = {}
local function add(d, committed)
  local remaining, reset_ms, retry_ms = report(d, committed, cost)
  local n = #reply
  reply[n + 1] = d.allowed and 1 or 0
  reply[n + 2] = math.max(0, math.floor(remaining))
  reply[n + 3] = math.max(0, math.ceil(reset_ms))
  reply[n + 4] = math.max(0, math.ceil(retry_ms))
end
-- A rejected consume under continueExceeding: hold the key, and retry no earlier than the hold ends.
local function hold(from)
  redis.call('SET', hold_key, '1', 'PX', hold_ms)
  for j = from, #reply, 4 do
    if reply[j + 3] < hold_ms then reply[j + 3] = hold_ms end
  end
end
for _ = 1, batch do
  local held = 0
  if hold_key ~= nil and mode ~= 'refund' then held = redis.call('PTTL', hold_key) end
  local from = #reply + 1
  if held > 0 then
    if mode == 'consume' then
      redis.call('SET', hold_key, '1', 'PX', hold_ms)
      held = hold_ms
    end
    for _ = 1, policies do
      local n = #reply
      reply[n + 1] = 0
      reply[n + 2] = 0
      reply[n + 3] = held
      reply[n + 4] = held
    end
  elseif policies == 1 then
    local d = evaluate(KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), cost, now)
    local committed = false
    if mode == 'consume' and d.allowed then
      commit(KEYS[1], d, cost, now)
      committed = true
    elseif mode == 'refund' then
      refund(KEYS[1], d, cost, now)
    end
    add(d, committed)
    if hold_key ~= nil and mode == 'consume' and not d.allowed then hold(from) end
  else
    local decisions = {}
    local all_allowed = true
    for i = 1, policies do
      local base = 2 + (i - 1) * 3
      local d = evaluate(KEYS[i], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), cost, now)
      decisions[i] = d
      if not d.allowed then all_allowed = false end
    end
    for i = 1, policies do
      local d = decisions[i]
      local committed = false
      if mode == 'consume' and all_allowed then
        commit(KEYS[i], d, cost, now)
        committed = true
      elseif mode == 'refund' then
        refund(KEYS[i], d, cost, now)
      end
      add(d, committed)
    end
    if hold_key ~= nil and mode == 'consume' and not all_allowed then hold(from) end
  end
end
flush_state()
return reply
`;

export interface AlgorithmDecision {
  allowed: boolean;
}

export interface MemoryAlgorithm<D extends AlgorithmDecision> {
  evaluate(store: MemoryStore, key: string, policy: Policy, cost: number, now: number): D;
  commit(store: MemoryStore, key: string, decision: D, cost: number, now: number): void;
  refund(store: MemoryStore, key: string, decision: D, cost: number, now: number): void;
  report(
    decision: D,
    committed: boolean,
    cost: number,
  ): [remaining: number, resetMs: number, retryAfterMs: number];
}

export function defineLimiterScript<D extends AlgorithmDecision>(
  name: string,
  algorithmLua: string,
  memory: MemoryAlgorithm<D>,
): Script<PolicyReply> {
  return defineScript<PolicyReply>({
    name,
    lua: `${stateLua}\n${algorithmLua}\n${loopLua}`,
    memory({ store, now }, keys, args) {
      const mode = args[0] as ScriptMode;
      const cost = Number(args[1]);
      const holdKey = args.length === 3 * keys.length + 1 ? keys.at(-1) : undefined;
      const holdMs = holdKey === undefined ? 0 : Number(args.at(-1));
      const policyKeys = holdKey === undefined ? keys : keys.slice(0, -1);
      const batch = Number(args[2 + policyKeys.length * 3] ?? 1);
      const reply: PolicyReply = [];
      for (let request = 0; request < batch; request++) {
        const from = reply.length;
        const held = holdKey !== undefined && mode !== 'refund' ? store.ttl(holdKey) : 0;
        if (holdKey !== undefined && held > 0) {
          if (mode === 'consume') store.set(holdKey, 1, holdMs);
          const wait = mode === 'consume' ? holdMs : held;
          for (const _ of policyKeys) reply.push(0, 0, wait, wait);
          continue;
        }
        const decisions = policyKeys.map((key, i) =>
          memory.evaluate(store, key, policyAt(args, i), cost, now),
        );
        const allAllowed = decisions.every((decision) => decision.allowed);
        decisions.forEach((decision, i) => {
          const key = policyKeys[i] as string;
          let committed = false;
          if (mode === 'consume' && allAllowed) {
            memory.commit(store, key, decision, cost, now);
            committed = true;
          } else if (mode === 'refund') {
            memory.refund(store, key, decision, cost, now);
          }
          const [remaining, resetMs, retryAfterMs] = memory.report(decision, committed, cost);
          reply.push(
            decision.allowed ? 1 : 0,
            Math.max(0, Math.floor(remaining)),
            Math.max(0, Math.ceil(resetMs)),
            Math.max(0, Math.ceil(retryAfterMs)),
          );
        });
        if (holdKey !== undefined && mode === 'consume' && !allAllowed) {
          store.set(holdKey, 1, holdMs);
          for (let at = from + 3; at < reply.length; at += 4) reply[at] = Math.max(reply[at] ?? 0, holdMs);
        }
      }
      return reply;
    },
  });
}

function policyAt(args: readonly ScriptArg[], index: number): Policy {
  const base = 2 + index * 3;
  return { limit: Number(args[base]), windowMs: Number(args[base + 1]), burst: Number(args[base + 2]) };
}
