import { createHash } from 'node:crypto';
import { luaClock } from './clock';
import type { MemoryStore } from './memory-store';

/** An argument as both backends receive it; Lua sees it as a string. */
export type ScriptArg = string | number | Buffer;

/** What the TypeScript twin of a script gets: the store and the current time. */
export interface MemoryScriptContext {
  /** The memory backend's keys and values. */
  readonly store: MemoryStore;
  /** Milliseconds, the same scale as `now_ms()` in Lua. */
  readonly now: number;
  /**
   * The twin of `redis.call('PUBLISH', channel, message)` in the script: delivered to subscribers
   * after the script returns, as Redis does, so a script can change data and announce it in one
   * round trip.
   */
  publish(channel: string, message: string): void;
}

/** What `defineScript` takes: a Lua script and its memory twin. */
export interface ScriptDefinition<Reply> {
  /** Names the script in errors and events. */
  name: string;
  /** The Lua body. `now_ms()` is defined for it. Return integers or strings: Redis truncates floats. */
  lua: string;
  /**
   * The same operation in TypeScript for the memory backend. It receives the arguments as the
   * caller gave them and must return what the Lua script returns, in the same shape.
   */
  memory(context: MemoryScriptContext, keys: readonly string[], args: readonly ScriptArg[]): Reply;
}

/** A script (or command) ready for `Backend.run`, made by `defineScript` or `defineCommand`. */
export interface Script<Reply> extends ScriptDefinition<Reply> {
  /** The full source as sent to Redis. */
  readonly source: string;
  /** SHA1 of `source`, computed once. */
  readonly sha: string;
  /**
   * Set by `defineCommand`: Redis runs this one command (`command key ...args`) instead of a
   * script. Empty for a script.
   */
  readonly command: string;
}

/** One Redis command on one key, run like a script: a read that needs no more than that command. */
export interface CommandDefinition<Reply> {
  /** Names the command in errors and events. */
  name: string;
  /** The command's name (HMGET, GET, ...): sent as `command key ...args`. */
  command: string;
  /** The same operation for the memory backend, in the shape Redis replies with. */
  memory(context: MemoryScriptContext, keys: readonly string[], args: readonly ScriptArg[]): Reply;
}

/** Defines a script once per process: its source and SHA1 are computed here, not per call. */
export function defineScript<Reply>(definition: ScriptDefinition<Reply>): Script<Reply> {
  const source = `${luaClock}${definition.lua}`;
  return Object.freeze({
    ...definition,
    source,
    sha: createHash('sha1').update(source).digest('hex'),
    command: '',
  });
}

/**
 * Defines a plain command for `Backend.run`: no EVALSHA and no Lua, so Redis does only the
 * command's work (a script call costs Redis a few µs more than the commands it runs).
 */
export function defineCommand<Reply>(definition: CommandDefinition<Reply>): Script<Reply> {
  return Object.freeze({ ...definition, lua: '', source: '', sha: '' });
}
