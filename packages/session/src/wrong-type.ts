import { RedisRefusedError } from '@rediware/core';

/** Redis's reply to a command on a key that holds another type (a string where a hash is kept). */
const wrongTypeReply = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** True when Redis refused a command because the key holds another type. */
export function isWrongTypeError(error: unknown): boolean {
  return error instanceof RedisRefusedError && error.replyCode === 'WRONGTYPE';
}

/** What a memory script throws where Redis would answer WRONGTYPE, so both backends agree. */
export function wrongTypeError(operation: string): RedisRefusedError {
  return new RedisRefusedError(operation, wrongTypeReply, 'WRONGTYPE');
}
