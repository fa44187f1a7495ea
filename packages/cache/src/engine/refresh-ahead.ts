/**
 * Where refresh-ahead starts for an entry fresh from `createdAt` to `freshUntil` (the same clock):
 * after `fraction` of its freshness. Undefined fraction: never (the end of its freshness).
 */
export function refreshAt(createdAt: number, freshUntil: number, fraction: number | undefined): number {
  if (fraction === undefined) return freshUntil;
  return createdAt + Math.floor((freshUntil - createdAt) * fraction);
}
