import { type IncomingHttpHeaders, request } from 'node:http';

/**
 * A request through node:http with a body on any method (a GET with a body is a "fat GET"):
 * `chunked` sends it with Transfer-Encoding instead of Content-Length.
 */
export function sendWithBody(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body: string; chunked?: boolean },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const { method = 'GET', body, chunked = false } = options;
  const headers: Record<string, string> = { 'content-type': 'text/plain', ...options.headers };
  if (chunked) headers['transfer-encoding'] = 'chunked';
  else headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.once('end', () =>
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

/** A GET through node:http from a given local address (127.0.0.2: a proxy other than loopback's 127.0.0.1). */
export function getFrom(
  localAddress: string,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers, localAddress }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.once('end', () =>
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}
