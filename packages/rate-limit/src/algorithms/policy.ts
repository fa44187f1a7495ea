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

export function decodeReply(reply: PolicyReply, policies: number): PolicyDecision[] {
  const decisions: PolicyDecision[] = new Array(policies);
  for (let i = 0; i < policies; i++) {
    decisions[i] = {
      allowed: reply[i * 4] === 1,
      remaining: reply[i * 4 + 1] ?? 0,
      resetMs: reply[i * 4 + 2] ?? 0,
      retryAfterMs: reply[i * 4 + 3] ?? 0,
    };
  }
  return decisions;
}

/** Script arguments: mode, cost, then limit, window and burst of each policy. */
export function policyArgs(
  mode: ScriptMode,
  cost: number,
  policies: readonly Policy[],
): Array<string | number> {
  const args: Array<string | number> = [mode, cost];
  for (const policy of policies) args.push(policy.limit, policy.windowMs, policy.burst);
  return args;
}
