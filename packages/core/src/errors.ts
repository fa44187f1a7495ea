import type { RediwareErrorCode } from './error-codes';

/** An RFC 9457 problem document, the body of every HTTP-facing error. */
export interface ProblemDetails {
  /** A URI naming the error: `https://rediware.dev/errors/<code>`. */
  type: string;
  /** The error class's name. */
  title: string;
  /** The HTTP status code. */
  status: number;
  /** The error's message. */
  detail?: string;
  [extension: string]: unknown;
}

/** The optional parts of a RediwareError. */
export interface RediwareErrorOptions {
  /** The underlying error, kept as the standard `error.cause`. */
  cause?: unknown;
  /** HTTP status this error maps to when it reaches a client. @default 500 */
  statusCode?: number;
}

/** Base class of every error rediware throws; `code` is stable, `message` is for people. */
export class RediwareError extends Error {
  /** The stable `ERR_RW_*` code: match on this, not on the message. */
  readonly code: RediwareErrorCode;
  /** The HTTP status this error maps to when it reaches a client. */
  readonly statusCode: number;

  constructor(code: RediwareErrorCode, message: string, options: RediwareErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
  }

  /** The `application/problem+json` body for this error. */
  toProblem(): ProblemDetails {
    return {
      type: `https://rediware.dev/errors/${this.code}`,
      title: this.name,
      status: this.statusCode,
      detail: this.message,
    };
  }
}

/** Bad options: thrown at construction, the message names the option and what was expected. */
export class RediwareConfigError extends RediwareError {
  /** The option's name or path, e.g. `window` or `encryptionKeys[0]`. */
  readonly option: string;

  constructor(option: string, expected: string, received: unknown) {
    super(
      'ERR_RW_CONFIG',
      `Invalid option \`${option}\`: expected ${expected}, received ${describeValue(received)}.`,
    );
    this.option = option;
  }
}

/** Any failure to get an answer from Redis. Fail policies act on this class and its subclasses. */
export class RedisError extends RediwareError {
  constructor(code: RediwareErrorCode, message: string, options: RediwareErrorOptions = {}) {
    super(code, message, { statusCode: 503, ...options });
  }
}

/** Redis could not be reached or the connection broke. */
export class RedisUnavailableError extends RedisError {
  constructor(message: string, cause?: unknown) {
    super('ERR_RW_REDIS_UNAVAILABLE', message, { cause });
  }
}

/** Redis did not answer within the configured `timeout`. */
export class RedisTimeoutError extends RedisError {
  /** The deadline that passed, in ms. */
  readonly timeoutMs: number;

  constructor(operation: string, timeoutMs: number) {
    super(
      'ERR_RW_REDIS_TIMEOUT',
      `Redis did not answer ${operation} within ${timeoutMs}ms (option \`timeout\`).`,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The client handed to rediware is not connected (node-redis needs `await client.connect()`). */
export class RedisNotConnectedError extends RedisError {
  constructor(message: string) {
    super('ERR_RW_REDIS_NOT_CONNECTED', message);
  }
}

/** Redis answered with an error reply (a script error, WRONGTYPE, ...). */
export class RedisCommandError extends RedisError {
  constructor(message: string, cause?: unknown, code: RediwareErrorCode = 'ERR_RW_REDIS_COMMAND') {
    super(code, message, { cause, statusCode: 500 });
  }
}

/** What to check for each reply code that says our commands are refused. */
const refusalHints: Readonly<Record<string, string>> = {
  NOAUTH: "the client's password (Redis requires one)",
  WRONGPASS: "the client's user name and password",
  NOPERM: "the client's ACL user: it needs EVALSHA, EVAL and the commands rediware's scripts call",
  WRONGTYPE: "that nothing else writes keys under rediware's prefix (give rediware a prefix of its own)",
  OOM: 'maxmemory: Redis is full and its maxmemory-policy evicts nothing (noeviction)',
  MISCONF: 'the Redis log: Redis refuses writes because it cannot persist to disk',
};
const defaultRefusalHint = "the client's password/ACL, Redis' maxmemory and the types of rediware's keys";

/**
 * Redis is reachable but refuses our commands (NOAUTH, WRONGPASS, NOPERM, WRONGTYPE, OOM, a script
 * error, ...): a configuration problem, not an outage, so `failOpen: true` does not hide it.
 */
export class RedisRefusedError extends RedisCommandError {
  /** The reply's code: its first word (`NOPERM`, `WRONGTYPE`, `ERR`, ...). */
  readonly replyCode: string;

  constructor(operation: string, reply: string, replyCode: string, cause?: unknown) {
    super(
      `Redis refused ${operation} (${reply}): a configuration problem, not an outage; check ${refusalHints[replyCode] ?? defaultRefusalHint}.`,
      cause,
      'ERR_RW_REDIS_REFUSED',
    );
    this.replyCode = replyCode;
  }
}

/** Base class of the lock errors; @rediware/lock defines the concrete ones. */
export class LockError extends RediwareError {}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
