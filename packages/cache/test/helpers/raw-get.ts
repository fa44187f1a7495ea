import { type IncomingHttpHeaders, request } from 'node:http';

/**
 * A request through node:http, which, unlike fetch, may set any Host header and hands over the
 * body bytes as sent (never decompressed).
 */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers, method }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.once('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: bytes.toString(),
          bytes,
        });
      });
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}
