/** Where one key lives. */
export interface Location {
  /** The key as the caller gave it. */
  readonly key: string;
  readonly entryKey: string;
  readonly lockKey: string;
  readonly namespaceStamp: string | undefined;
}
