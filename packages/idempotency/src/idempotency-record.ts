/**
 * A record as the memory backend keeps it: the twin of the Redis hash (fields `s`, `fp`, `o`, `f`,
 * then `st`, `h`, `b` once completed).
 */
export type MemoryRecord =
  | {
      readonly state: 'running';
      readonly fingerprint: string;
      readonly owner: string;
      readonly fencingToken: number;
    }
  | {
      readonly state: 'done';
      readonly fingerprint: string;
      readonly status: string;
      readonly headers: string;
      readonly body: Buffer;
    };
