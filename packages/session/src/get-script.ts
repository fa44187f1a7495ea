import { defineCommand } from '@rediware/core';
import { asRecord, holdsOtherType } from './session-record';
import { wrongTypeError } from './wrong-type';

/** [data, expires, deadline]: each null when absent (no session: data is null). */
export type GetReply = [data: string | null, expires: string | null, deadline: string | null];

/** Reads a session: one HMGET, one round trip, no script. */
export const getSessionScript = defineCommand<GetReply>({
  name: 'session-get',
  command: 'HMGET',
  memory({ store }, keys, args) {
    const value = store.get(keys[0] as string);
    if (holdsOtherType(value)) throw wrongTypeError('session-get');
    const record = asRecord(value);
    const field = (name: string) => (record?.[name as keyof typeof record] as string | undefined) ?? null;
    return args.map((name) => field(String(name))) as GetReply;
  },
});

/** The fields `getSessionScript` reads, in the order of its reply. */
export const getSessionFields = ['data', 'expires', 'deadline'] as const;
