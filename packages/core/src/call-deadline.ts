/** What a call under a deadline can see of it. */
export interface Deadline {
  /** Aborted at the deadline; only when the client can drop a command it has not sent yet. */
  readonly signal: AbortSignal | undefined;
  /** True once the deadline passed: nobody waits for the answer any more. */
  readonly expired: boolean;
}
