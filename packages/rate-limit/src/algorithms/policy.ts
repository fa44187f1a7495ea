/** One limit of a limiter: `limit` per `windowMs`, and for the token bucket a capacity. */
export interface Policy {
  readonly limit: number;
  readonly windowMs: number;
  /** Token bucket capacity; equals `limit` for the other algorithms. */
  readonly burst: number;
}

/** What the script decides for one policy. */
export interface PolicyDecision {
  allowed: boolean;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
}

export type ScriptMode = 'consume' | 'peek' | 'refund';

/** The flat reply of every limiter script: allowed, remaining, resetMs, retryAfterMs per policy. */
export type PolicyReply = number[];

/** The decisions of one request: the `request`-th of a batch reply (0 for a single request). */
export function decodeReply(reply: PolicyReply, policies: number, request = 0): PolicyDecision[] {
  const decisions: PolicyDecision[] = new Array(policies);
  const base = request * policies * 4;
  for (let i = 0; i < policies; i++) {
    const at = base + i * 4;
    decisions[i] = {
      allowed: reply[at] === 1,
      remaining: reply[at + 1] ?? 0,
      resetMs: reply[at + 2] ?? 0,
      retryAfterMs: reply[at + 3] ?? 0,
    };
  }
  return decisions;
}

/**
 * Script arguments: mode, cost, then limit, window and burst of each policy, and for a batch of
 * consumes the number of requests. With `holdMs` (continueExceeding; the keys then end with the
 * hold key) the batch size is always given, then `holdMs`.
 */
export function policyArgs(
  mode: ScriptMode,
  cost: number,
  policies: readonly Policy[],
  batch = 1,
  holdMs?: number,
): Array<string | number> {
  const args: Array<string | number> = [mode, cost];
  for (const policy of policies) args.push(policy.limit, policy.windowMs, policy.burst);
  if (batch !== 1 || holdMs !== undefined) args.push(batch);
  if (holdMs !== undefined) args.push(holdMs);
  return args;
}
