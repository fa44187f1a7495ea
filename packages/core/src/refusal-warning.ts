import type { RedisRefusedError } from './errors';

const warned = new Set<string>();

/**
 * A refusal repeats on every request until someone fixes the configuration: one process warning
 * per reply code says so where operators look, without flooding the log.
 */
export function warnRefusedOnce(error: RedisRefusedError): void {
  const kind = `${error.code}:${error.replyCode}`;
  if (warned.has(kind)) return;
  warned.add(kind);
  process.emitWarning(error.message, { code: 'RW_REDIS_REFUSED' });
}
