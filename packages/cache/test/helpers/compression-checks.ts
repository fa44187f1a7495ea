import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { rawGet } from './raw-get';

/** Bodies of the routes each framework's compression test serves. */
export const compressionBodies = {
  /** /text: text/plain, well over the 1 KiB threshold. */
  text: 'the quick brown fox jumps over the lazy dog\n'.repeat(100),
  /** /small: text/plain under the threshold. */
  small: 'small body',
  /** /binary: application/octet-stream, every byte value, compressible (a repeated random block). */
  binary: Buffer.concat(new Array<Buffer>(40).fill(randomBytes(256))),
  /** /encoded: text the app gzipped itself (Content-Encoding: gzip). */
  encoded: gzipSync(Buffer.from('the app compressed this itself\n'.repeat(100))),
};

const gzipClient = { 'accept-encoding': 'gzip, deflate, br' };

function varies(header: string | undefined): boolean {
  return /accept-encoding/i.test(header ?? '');
}

/** Runs every compression expectation against a server that serves the routes above. */
export async function checkCompression(url: string): Promise<void> {
  const text = Buffer.from(compressionBodies.text);
  // The miss goes out as the app sent it.
  const miss = await rawGet(`${url}/text`, gzipClient);
  expect(miss.headers['x-cache']).toBe('MISS');
  expect(miss.bytes.equals(text)).toBe(true);

  const gzipped = await rawGet(`${url}/text`, gzipClient);
  expect(gzipped.headers['x-cache']).toBe('HIT');
  expect(gzipped.headers['content-encoding']).toBe('gzip');
  expect(varies(gzipped.headers.vary)).toBe(true);
  expect(gzipped.headers['content-length']).toBe(String(gzipped.bytes.length));
  expect(gzipped.bytes.length).toBeLessThan(text.length);
  expect(gunzipSync(gzipped.bytes).equals(text)).toBe(true);

  const plain = await rawGet(`${url}/text`);
  expect(plain.headers['x-cache']).toBe('HIT');
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(varies(plain.headers.vary)).toBe(true);
  expect(plain.headers['content-length']).toBe(String(text.length));
  expect(plain.bytes.equals(text)).toBe(true);

  // q-values: gzip;q=0 refused, a lower q than identity loses.
  for (const accept of ['gzip;q=0, identity', 'gzip;q=0.5, identity', 'br']) {
    const refused = await rawGet(`${url}/text`, { 'accept-encoding': accept });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.bytes.equals(text)).toBe(true);
  }

  // Each representation has its own ETag: a 304 only for the one the client holds.
  const gzipEtag = String(gzipped.headers.etag);
  const plainEtag = String(plain.headers.etag);
  expect(gzipEtag).not.toBe(plainEtag);
  expect((await rawGet(`${url}/text`, { ...gzipClient, 'if-none-match': gzipEtag })).status).toBe(304);
  expect((await rawGet(`${url}/text`, { 'if-none-match': plainEtag })).status).toBe(304);
  expect((await rawGet(`${url}/text`, { 'if-none-match': gzipEtag })).status).toBe(200);
  expect((await rawGet(`${url}/text`, { ...gzipClient, 'if-none-match': plainEtag })).status).toBe(200);

  const head = await rawGet(`${url}/text`, gzipClient, 'HEAD');
  expect(head.headers['content-encoding']).toBe('gzip');
  expect(head.headers['content-length']).toBe(String(gzipped.bytes.length));
  expect(head.bytes.length).toBe(0);

  await rawGet(`${url}/binary`, gzipClient);
  const binary = await rawGet(`${url}/binary`, gzipClient);
  expect(binary.headers['x-cache']).toBe('HIT');
  expect(binary.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(binary.bytes).equals(compressionBodies.binary)).toBe(true);
  const binaryPlain = await rawGet(`${url}/binary`);
  expect(binaryPlain.headers['content-type']).toBe('application/octet-stream');
  expect(binaryPlain.bytes.equals(compressionBodies.binary)).toBe(true);

  await rawGet(`${url}/small`, gzipClient);
  const small = await rawGet(`${url}/small`, gzipClient);
  expect(small.headers['x-cache']).toBe('HIT');
  expect(small.headers['content-encoding']).toBeUndefined();
  expect(varies(small.headers.vary)).toBe(false);
  expect(small.body).toBe(compressionBodies.small);

  // The app's own encoding is stored as it is and never encoded twice.
  await rawGet(`${url}/encoded`, gzipClient);
  for (const headers of [gzipClient, {}]) {
    const encoded = await rawGet(`${url}/encoded`, headers);
    expect(encoded.headers['x-cache']).toBe('HIT');
    expect(encoded.headers['content-encoding']).toBe('gzip');
    expect(encoded.bytes.equals(compressionBodies.encoded)).toBe(true);
  }
}
