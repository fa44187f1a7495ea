/** One request a quick start is sent, and the status (and headers, if given) it must answer. */
export interface QuickStartRequest {
  method: 'GET' | 'POST';
  path: string;
  status: number;
  /** Response headers the answer must carry, with their values. */
  headers?: Record<string, string>;
  /** Request headers sent besides the cookies (an Idempotency-Key). */
  send?: Record<string, string>;
  /** A JSON body, sent with `content-type: application/json`. */
  json?: unknown;
}

/** An answer as release:check prints it: `200` or `200 x-cache=HIT` (the headers the request expects). */
export function describeAnswer(status: number, headers: Record<string, string | null> = {}): string {
  return [String(status), ...Object.entries(headers).map(([name, value]) => `${name}=${value}`)].join(' ');
}

const payment = (key: string | undefined, amount: number): Pick<QuickStartRequest, 'send' | 'json'> => ({
  send: { 'x-account-id': 'acct_1', ...(key === undefined ? {} : { 'idempotency-key': key }) },
  json: { amount },
});
const idempotentPayments: QuickStartRequest[] = [
  {
    method: 'POST',
    path: '/payments',
    status: 201,
    headers: { 'idempotent-replayed': 'null' },
    ...payment('"k-1"', 10),
  },
  {
    method: 'POST',
    path: '/payments',
    status: 201,
    headers: { 'idempotent-replayed': 'true' },
    ...payment('"k-1"', 10),
  },
  { method: 'POST', path: '/payments', status: 400, ...payment(undefined, 10) },
  { method: 'POST', path: '/payments', status: 422, ...payment('"k-1"', 20) },
];

/**
 * What release:check sends each README's ```ts quickstart block once it listens, in order, with
 * the cookies it was given (a session quick start logs in, then uses the session), keyed by the
 * README and the framework the block imports. Every quickstart block needs an entry, and every
 * entry a block.
 */
export const quickStartRequests: Record<string, QuickStartRequest[]> = {
  // Every route is limited (100/min); /login also by a token bucket of 5: the 6th login is refused.
  'packages/rate-limit/README.md express': [
    ...Array.from({ length: 5 }, () => ({ method: 'POST' as const, path: '/login', status: 200 })),
    { method: 'POST', path: '/login', status: 429 },
    { method: 'GET', path: '/health', status: 200 },
  ],
  'packages/rate-limit/README.md fastify': [
    ...Array.from({ length: 5 }, () => ({ method: 'POST' as const, path: '/login', status: 200 })),
    { method: 'POST', path: '/login', status: 429 },
    { method: 'GET', path: '/health', status: 200 },
  ],
  // The second call needs the cookie the login set: over plain HTTP too.
  'packages/session/README.md express': [
    { method: 'POST', path: '/login', status: 204 },
    { method: 'POST', path: '/logout-everywhere', status: 200 },
  ],
  'packages/session/README.md fastify': [
    { method: 'POST', path: '/login', status: 204 },
    { method: 'POST', path: '/logout-everywhere', status: 200 },
  ],
  // Stored at its second request (minUses: 2), then served from Redis, dropped by the invalidation.
  'packages/cache/README.md express': [
    { method: 'GET', path: '/products', status: 200, headers: { 'x-cache': 'MISS' } },
    { method: 'GET', path: '/products', status: 200, headers: { 'x-cache': 'MISS' } },
    { method: 'GET', path: '/products', status: 200, headers: { 'x-cache': 'HIT' } },
    { method: 'POST', path: '/products/42', status: 204 },
    { method: 'GET', path: '/products', status: 200, headers: { 'x-cache': 'MISS' } },
  ],
  'packages/cache/README.md fastify': [
    { method: 'GET', path: '/products', status: 200, headers: { 'x-cache': 'MISS' } },
    { method: 'GET', path: '/products', status: 200, headers: { 'x-cache': 'MISS' } },
    { method: 'GET', path: '/products', status: 200, headers: { 'x-cache': 'HIT' } },
    { method: 'POST', path: '/products/42', status: 204 },
    { method: 'GET', path: '/products', status: 200, headers: { 'x-cache': 'MISS' } },
    { method: 'GET', path: '/health', status: 200 },
  ],
  'packages/lock/README.md express': [{ method: 'POST', path: '/orders/42/pay', status: 200 }],
  'packages/lock/README.md fastify': [{ method: 'POST', path: '/orders/42/pay', status: 200 }],
  // The first payment runs (201), its retry with the same key is replayed, a request without a
  // key is refused (required: true), the key reused for another amount is 422.
  'packages/idempotency/README.md express': idempotentPayments,
  'packages/idempotency/README.md fastify': idempotentPayments,
};
