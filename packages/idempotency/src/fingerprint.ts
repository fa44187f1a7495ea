import { createHash } from 'node:crypto';

/** What the default fingerprint reads of a request, whatever the framework. */
export interface FingerprintParts {
  /** The request method, `POST`. */
  readonly method: string;
  /** The path and query as the client sent them. */
  readonly url: string;
  /** The parsed body: bytes and strings are hashed as they are, anything else as JSON. */
  readonly body: unknown;
}

/** `<METHOD> <url> <SHA-256 of the body, base64url>`: two requests are the same if these are. */
export function defaultFingerprint({ method, url, body }: FingerprintParts): string {
  const hash = createHash('sha256');
  if (Buffer.isBuffer(body) || typeof body === 'string') hash.update(body);
  else if (body !== undefined && body !== null) hash.update(JSON.stringify(body) ?? '');
  return `${method} ${url} ${hash.digest('base64url')}`;
}
