import {
  RedisError,
  RedisNotConnectedError,
  RedisRefusedError,
  RedisTimeoutError,
  RedisUnavailableError,
  RediwareError,
} from '../errors';
import { errorReplyOf } from './error-reply';

export function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Turns whatever a client threw into a RedisError subclass with the original as `cause`: an error
 * reply that refuses our commands is RedisRefusedError; a transient reply (LOADING, READONLY, ...)
 * and anything that is not a reply (a connection error) is RedisUnavailableError.
 */
export function classifyRedisError(error: unknown, operation: string): RediwareError {
  if (error instanceof RediwareError) return error;
  if (error instanceof Error && error.name === 'ClientClosedError') {
    return new RedisNotConnectedError(
      `The node-redis client is not connected (${operation}): call \`await client.connect()\` before using it with rediware.`,
    );
  }
  const reply = errorReplyOf(error);
  if (reply !== undefined && !reply.transient) {
    return new RedisRefusedError(operation, reply.message, reply.code, error);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RedisUnavailableError(`Redis is unavailable (${operation}): ${message}`, error);
}

/** Whether `error` is a failure to get an answer from Redis (a `RedisError` or a subclass). */
export function isRedisError(error: unknown): error is RedisError {
  return error instanceof RedisError;
}

/**
 * Redis is unreachable, too slow or (for now) unable to serve: the failures `failOpen: true` goes
 * on without Redis for. False for a refusal (RedisRefusedError) and for anything not from Redis.
 */
export function isRedisOutage(error: unknown): boolean {
  return (
    error instanceof RedisUnavailableError ||
    error instanceof RedisTimeoutError ||
    error instanceof RedisNotConnectedError
  );
}
