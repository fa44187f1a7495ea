/**
 * connect-redis reads a numeric `ttl` as seconds, this store as milliseconds: a ported
 * `ttl: 86400` would end every session after 86 seconds. No real session lives under this long,
 * so a number below it is taken for seconds and warned about.
 */
const secondsSuspectBelowMs = 300_000;

let warned = false;

/** Emits one process warning (`RW_SESSION_TTL_SECONDS`) the first time a numeric ttl looks like seconds. */
export function warnIfTtlLooksLikeSeconds(ttl: unknown): void {
  if (warned || typeof ttl !== 'number' || !(ttl > 0 && ttl < secondsSuspectBelowMs)) return;
  warned = true;
  process.emitWarning(
    `@rediware/session: \`ttl: ${ttl}\` is ${ttl} milliseconds (${(ttl / 1000).toFixed(1)} s), not seconds as ` +
      `in connect-redis. For ${ttl} seconds write ttl: '${ttl}s'; for ${ttl} ms write '${ttl}ms' (a string ` +
      'never warns).',
    { code: 'RW_SESSION_TTL_SECONDS' },
  );
}
