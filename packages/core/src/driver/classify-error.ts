import {
  RedisCommandError,
  RedisError,
  RedisNotConnectedError,
  RedisUnavailableError,
  RediwareError,
} from '../errors';

/** Redis error replies start with an upper-case code: ERR, NOSCRIPT, WRONGTYPE, CROSSSLOT, ... */
const errorReplyPattern = /^[A-Z][A-Z_]+ /;

export function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Turns whatever a client threw into a RedisError subclass with the original as `cause`. */
export function classifyRedisError(error: unknown, operation: string): RediwareError {
  if (error instanceof RediwareError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'ClientClosedError') {
    return new RedisNotConnectedError(
      `The node-redis client is not connected (${operation}): call \`await client.connect()\` before using it with rediware.`,
    );
  }
  if (
    name === 'ReplyError' ||
    name === 'ErrorReply' ||
    name === 'SimpleError' ||
    errorReplyPattern.test(message)
  ) {
    return new RedisCommandError(`Redis replied with an error to ${operation}: ${message}`, error);
  }
  return new RedisUnavailableError(`Redis is unavailable (${operation}): ${message}`, error);
}

export function isRedisError(error: unknown): error is RedisError {
  return error instanceof RedisError;
}
