/** Redis error replies start with an upper-case code: ERR, NOSCRIPT, WRONGTYPE, CROSSSLOT, ... */
const replyCodePattern = /^([A-Z][A-Z_]+) /;
/** Redis 6 wraps the error of a command a script called: `ERR Error running script ...: -OOM ...`. */
const scriptInnerCodePattern = /: -([A-Z][A-Z_]+) /;
/** The names node-redis v4 (ErrorReply), v5 (SimpleError) and ioredis (ReplyError) give replies. */
const replyErrorNames = new Set(['ReplyError', 'ErrorReply', 'SimpleError', 'BlobError']);

/**
 * Replies that say Redis cannot serve right now, not that it refuses us: a dataset loading after a
 * restart, a busy script, a cluster or failover in progress, a replica that was a master, too
 * many clients. Each passes, so they are outages like a dead connection.
 */
const transientCodes = new Set([
  'LOADING',
  'BUSY',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'MASTERDOWN',
  'READONLY',
  'MOVED',
  'ASK',
  'NOREPLICAS',
  'UNBLOCKED',
  'NOSCRIPT',
]);
const transientErrPrefix = 'ERR max number of clients reached';

export interface ErrorReply {
  /** The reply's code (`NOPERM`, `OOM`, `ERR`, ...). */
  readonly code: string;
  readonly message: string;
  /** Redis cannot serve for now (an outage), as opposed to refusing our commands. */
  readonly transient: boolean;
}

/** The error reply a client rejected with, or undefined when the error is not a reply from Redis. */
export function errorReplyOf(error: unknown): ErrorReply | undefined {
  if (!(error instanceof Error)) return undefined;
  const { message } = error;
  const code = replyCodePattern.exec(message)?.[1];
  if (code === undefined && !replyErrorNames.has(error.name)) return undefined;
  const replyCode = code ?? 'ERR';
  const inner = replyCode === 'ERR' ? scriptInnerCodePattern.exec(message)?.[1] : undefined;
  const transient =
    transientCodes.has(replyCode) ||
    (inner !== undefined && transientCodes.has(inner)) ||
    message.startsWith(transientErrPrefix);
  return { code: inner ?? replyCode, message, transient };
}
