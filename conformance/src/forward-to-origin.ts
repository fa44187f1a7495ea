import { type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';

export interface OriginResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

// Node writes these itself for the response it sends; every other end-to-end header goes through
// as the origin sent it, so that what the client sees is decided by the cache, not by this forwarder.
const managedByNode = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * The device token this gateway announces to the origin in Surrogate-Capability (W3C Edge
 * Architecture), and under which the cache honours targeted Surrogate-Control directives.
 */
export const surrogateTarget = 'rediware';

/** Sends the request on to the origin (method, path, headers, body) and reads its whole answer. */
export function forwardToOrigin(
  origin: URL,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer | undefined,
): Promise<OriginResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: origin.hostname,
        port: origin.port,
        method,
        path,
        headers: {
          ...headers,
          host: origin.host,
          'surrogate-capability': `${surrogateTarget}="Surrogate/1.0"`,
        },
      },
      (incoming: IncomingMessage) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 502,
            headers: everyLine(incoming.rawHeaders),
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * The headers as the origin sent them, a field sent on several lines as an array: Node's
 * `incoming.headers` keeps only the first line of some fields (Age, Expires, ...), and a proxy
 * forwards every line.
 */
function everyLine(raw: readonly string[]): IncomingHttpHeaders {
  const lines = new Map<string, string[]>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    lines.set(name, [...(lines.get(name) ?? []), String(raw[i + 1])]);
  }
  const headers: IncomingHttpHeaders = {};
  for (const [name, values] of lines) headers[name] = values.length === 1 ? values[0] : values;
  return headers;
}

/**
 * The origin's headers that the proxy sets on its own response: not the hop-by-hop ones, nor those
 * the origin named in Connection, which belong to the origin-to-proxy hop (RFC 9110 §7.6.1).
 */
export function forwardedHeaders(headers: IncomingHttpHeaders): Array<[string, string | string[]]> {
  const hopByHop = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase()),
  );
  return Object.entries(headers).filter(
    (entry): entry is [string, string | string[]] =>
      entry[1] !== undefined && !managedByNode.has(entry[0]) && !hopByHop.has(entry[0]),
  );
}

export function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}
