import type { ServerResponse } from 'node:http';

/**
 * Removes these response headers just before the head is written, after the cache (whose
 * writeHead wrapper runs first) has read them: headers addressed to this cache, such as
 * Surrogate-Control, go no further downstream.
 */
export function dropOnWriteHead(res: ServerResponse, names: readonly string[]): void {
  const { writeHead } = res;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    for (const name of names) res.removeHeader(name);
    for (const extra of args)
      if (typeof extra === 'object' && extra !== null && !Array.isArray(extra))
        for (const key of Object.keys(extra))
          if (names.includes(key.toLowerCase())) delete (extra as Record<string, unknown>)[key];
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
