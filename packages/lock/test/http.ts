import { request } from 'node:http';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET over a fresh connection. */
export function get(url: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends a GET and drops the connection once `until` resolves, like a client that gave up. */
export function getThenAbort(url: string, until: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.end();
    void until.then(() => req.destroy());
  });
}

/** A promise with its resolve, for handlers that wait for the test to let them finish. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
