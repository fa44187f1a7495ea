/** A limiter's decision, also set as `req.rateLimit` / `request.rateLimit` by the adapters. */
export interface RateLimitResult {
  /** Whether the request is admitted. */
  allowed: boolean;
  /** The limit of the deciding policy. */
  limit: number;
  /** What is left in the deciding policy after this request. */
  remaining: number;
  /** Milliseconds until the deciding policy's window ends (token bucket: until the bucket is full). */
  resetMs: number;
  /** Milliseconds to wait before a request of the same cost can be admitted; 0 when admitted. */
  retryAfterMs: number;
  /** The window of the deciding policy, in ms. */
  windowMs: number;
}
