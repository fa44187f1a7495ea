/** Compiled by `pnpm typecheck`, never run: the error codes are a closed union. */
import { RediwareError, type RediwareErrorCode } from '@rediware/core';

// @ts-expect-error a misspelt code does not compile
export const misspelt = new RediwareError('ERR_RW_LOCK_BUZY', 'x');
// @ts-expect-error nor does a code no package uses
export const unlisted: RediwareErrorCode = 'ERR_RW_SOMETHING';
