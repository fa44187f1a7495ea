import { waitFor } from '@rediware/testing';
import { rawGet } from './raw-get';

/**
 * HTTP-rule checks run by both framework suites against a scripted route: GET /s/<id> answers with
 * the status in `?status=` (default 200), a header per `?h=Name:value`, and the body `<id> <n>`
 * (the n-th call for that id), followed by ` for <Authorization>` when the request has one; while
 * `origin.failing`, it fails instead (Express: next(error), Fastify: throw).
 */
export interface ScriptedOrigin {
  failing: boolean;
  calls: Map<string, number>;
}

export interface ScriptedResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

export function scriptedOrigin(): ScriptedOrigin {
  return { failing: false, calls: new Map() };
}

/** What the scripted route answers for this request target (after `?delay=` ms), or 'fail'. */
export async function scriptedResponse(
  origin: ScriptedOrigin,
  target: string,
  authorization: string | undefined,
): Promise<ScriptedResponse | 'fail'> {
  if (origin.failing) return 'fail';
  const url = new URL(target, 'http://origin');
  const delay = Number(url.searchParams.get('delay') ?? 0);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const calls = (origin.calls.get(url.pathname) ?? 0) + 1;
  origin.calls.set(url.pathname, calls);
  const headers = url.searchParams.getAll('h').map((header): [string, string] => {
    const colon = header.indexOf(':');
    return [header.slice(0, colon), header.slice(colon + 1)];
  });
  const status = Number(url.searchParams.get('status') ?? 200);
  const user = authorization === undefined ? '' : ` for ${authorization}`;
  return { status, headers, body: `${url.pathname.slice(3)} ${calls}${user}` };
}

/** The cache options every check runs with unless it says otherwise. */
export const checkOptions = { ttl: 0, staleIfError: 60_000, surrogateControl: { target: 'edge' } };

export interface RuleCheck {
  readonly name: string;
  readonly options?: Record<string, unknown>;
  run(url: string, origin: ScriptedOrigin): Promise<void>;
}

function target(id: string, headers: Record<string, string> = {}, status?: number, delay?: number): string {
  const query = new URLSearchParams();
  if (status !== undefined) query.set('status', String(status));
  if (delay !== undefined) query.set('delay', String(delay));
  for (const [name, value] of Object.entries(headers)) query.append('h', `${name}:${value}`);
  const search = query.toString();
  return `/s/${id}${search === '' ? '' : `?${search}`}`;
}

/** The second GET of the same target: what the cache made of the first response. */
async function twice(url: string, path: string, headers: Record<string, string> = {}) {
  await rawGet(`${url}${path}`, headers);
  return rawGet(`${url}${path}`, headers);
}

const httpDate = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toUTCString();

async function expectHit(url: string, path: string, body: string): Promise<void> {
  const second = await twice(url, path);
  expect(second.headers['x-cache']).toBe('HIT');
  expect(second.body).toBe(body);
}

async function expectNotStored(url: string, path: string): Promise<void> {
  const second = await twice(url, path);
  expect(second.headers['x-cache']).not.toBe('HIT');
  expect(second.body).toMatch(/ 2$/);
}

export const ruleChecks: readonly RuleCheck[] = [
  {
    name: 'explicit freshness stores any final status, body and status replayed (5xx included)',
    async run(url) {
      for (const status of [299, 302, 400, 500, 503, 599]) {
        const path = target(`x${status}`, { 'Cache-Control': 'max-age=60' }, status);
        const second = await twice(url, path);
        expect(second.status).toBe(status);
        expect(second.headers['x-cache']).toBe('HIT');
        expect(second.body).toBe(`x${status} 1`);
      }
      await expectNotStored(url, target('expired500', { Expires: httpDate(-60), Date: httpDate(0) }, 500));
    },
  },
  {
    name: 'the default ttl applies to the heuristically cacheable statuses only',
    options: { ttl: '1m' },
    async run(url) {
      await expectHit(url, target('d405', {}, 405), 'd405 1');
      for (const status of [201, 302, 500, 503]) await expectNotStored(url, target(`d${status}`, {}, status));
    },
  },
  {
    name: 'Age counts the time the handler took (response_delay), rounded up',
    async run(url) {
      const path = target('age', { 'Cache-Control': 'max-age=600', Age: '30' }, undefined, 1100);
      const hit = await twice(url, path);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(Number(hit.headers.age)).toBeGreaterThanOrEqual(31);
      // A few ms past 30 s is sent as 31: rounded up, never understated.
      const soon = await twice(
        url,
        target('agesoon', { 'Cache-Control': 'max-age=600', Age: '30' }, undefined, 5),
      );
      expect(soon.headers['x-cache']).toBe('HIT');
      expect(Number(soon.headers.age)).toBeGreaterThanOrEqual(31);
    },
  },
  {
    name: 'must-understand: not stored with a status the cache does not know',
    async run(url) {
      await expectNotStored(url, target('mu599', { 'Cache-Control': 'max-age=60, must-understand' }, 599));
      await expectHit(url, target('mu200', { 'Cache-Control': 'max-age=60, must-understand' }), 'mu200 1');
    },
  },
  {
    name: 'heuristic freshness with ttl 0: 10% of Date - Last-Modified, capped at one day',
    async run(url) {
      const day = { 'Last-Modified': httpDate(-86_400), Date: httpDate(0) };
      // 10% of a day is 8640 s: an Age below it is fresh, above it stale.
      await expectHit(url, target('h200', { ...day, Age: '8000' }), 'h200 1');
      await expectNotStored(url, target('h200old', { ...day, Age: '9000' }));
      for (const status of [203, 404, 405, 410, 414, 501])
        await expectHit(url, target(`h${status}`, day, status), `h${status} 1`);
      // Not heuristically cacheable: only with public.
      await expectNotStored(url, target('h599', day, 599));
      await expectHit(url, target('h599p', { ...day, 'Cache-Control': 'public' }, 599), 'h599p 1');
      await expectNotStored(url, target('h502', day, 502));
      // Ten years old: still one day at most.
      const old = { 'Last-Modified': httpDate(-10 * 365 * 86_400), Date: httpDate(0) };
      await expectHit(url, target('hcap', { ...old, Age: '86000' }), 'hcap 1');
      await expectNotStored(url, target('hcapold', { ...old, Age: '87000' }));
      await expectNotStored(url, target('hnolm', { Date: httpDate(0) }));
    },
  },
  {
    name: 'Surrogate-Control: max-age and no-store over Cache-Control, targets, never passed downstream',
    async run(url) {
      const path = target('sc', { 'Surrogate-Control': 'max-age=60' });
      const miss = await rawGet(`${url}${path}`);
      expect(miss.headers['x-cache']).toBe('MISS');
      expect(miss.headers['surrogate-control']).toBeUndefined();
      const hit = await rawGet(`${url}${path}`);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers['surrogate-control']).toBeUndefined();
      const bypassed = await rawGet(`${url}${path}`, { cookie: 'sid=1' });
      expect(bypassed.headers['x-cache']).toBe('BYPASS');
      expect(bypassed.headers['surrogate-control']).toBeUndefined();
      await expectHit(url, target('scme', { 'Surrogate-Control': 'max-age=60;edge' }), 'scme 1');
      await expectHit(url, target('sccase', { 'Surrogate-Control': 'foo, MaX-aGe=60' }), 'sccase 1');
      await expectNotStored(url, target('scother', { 'Surrogate-Control': 'max-age=60;other' }));
      await expectNotStored(url, target('scspace', { 'Surrogate-Control': 'max-age =60' }));
      await expectNotStored(
        url,
        target('sc0', { 'Surrogate-Control': 'max-age=0', 'Cache-Control': 'max-age=3600' }),
      );
      await expectNotStored(
        url,
        target('scns', { 'Surrogate-Control': 'no-store', 'Cache-Control': 'max-age=3600' }),
      );
      await expectHit(
        url,
        target('sccns', { 'Surrogate-Control': 'max-age=60;edge', 'Cache-Control': 'no-store' }),
        'sccns 1',
      );
      // private is never overridden.
      await expectNotStored(
        url,
        target('scpriv', { 'Surrogate-Control': 'max-age=60', 'Cache-Control': 'private' }),
      );
      await expectNotStored(url, target('scage', { 'Surrogate-Control': 'max-age=60', Age: '120' }));
    },
  },
  {
    name: 'Surrogate-Control reaches the cache in a background refresh (stale-while-revalidate)',
    options: { staleWhileRevalidate: '1m' },
    async run(url) {
      const path = target('scswr', { 'Surrogate-Control': 'max-age=2' });
      await rawGet(`${url}${path}`);
      await waitFor(async () => (await rawGet(`${url}${path}`)).headers['x-cache'] === 'STALE', 10_000);
      // The refresh's response is stored with the freshness its Surrogate-Control gave it (on a
      // busy machine more than one refresh may have run by the time a poll lands in that window).
      await waitFor(async () => {
        const answer = await rawGet(`${url}${path}`);
        return answer.headers['x-cache'] === 'HIT' && answer.body !== 'scswr 1';
      }, 15_000);
    },
  },
  {
    name: 'surrogateControl false: Surrogate-Control is an ordinary header',
    options: { surrogateControl: false },
    async run(url) {
      const off = target('off', { 'Surrogate-Control': 'max-age=60' });
      await expectNotStored(url, off);
      expect((await rawGet(`${url}${off}`)).headers['surrogate-control']).toBe('max-age=60');
      const path = target('offcc', { 'Surrogate-Control': 'max-age=0', 'Cache-Control': 'max-age=60' });
      const hit = await twice(url, path);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers['surrogate-control']).toBe('max-age=0');
    },
  },
  {
    name: 'staleIfError serves stale when the handler fails, unless the response forbids it',
    async run(url, origin) {
      const cases = {
        plain: 'max-age=1',
        mustRevalidate: 'max-age=1, must-revalidate',
        proxyRevalidate: 'max-age=1, proxy-revalidate',
        sMaxAge: 's-maxage=1',
        ownSie: 's-maxage=1, stale-if-error=60',
      };
      const paths = Object.entries(cases).map(([id, cc]) => target(id, { 'Cache-Control': cc }));
      for (const path of paths) await rawGet(`${url}${path}`);
      origin.failing = true;
      const answers = new Map<string, Awaited<ReturnType<typeof rawGet>>>();
      for (const path of paths) {
        await waitFor(async () => {
          const answer = await rawGet(`${url}${path}`);
          answers.set(path, answer);
          return answer.headers['x-cache'] !== 'HIT';
        }, 10_000);
      }
      const [plain, mustRevalidate, proxyRevalidate, sMaxAge, ownSie] = paths.map((path) =>
        answers.get(path),
      );
      expect(plain?.headers['x-cache']).toBe('STALE');
      expect(plain?.body).toBe('plain 1');
      for (const strict of [mustRevalidate, proxyRevalidate, sMaxAge]) expect(strict?.status).toBe(500);
      // The response's own stale-if-error allows it.
      expect(ownSie?.headers['x-cache']).toBe('STALE');
    },
  },
  {
    name: 'Authorization: stored for others only with public, must-revalidate or s-maxage; never served',
    async run(url) {
      const alice = { authorization: 'Bearer alice' };
      const bob = { authorization: 'Bearer bob' };
      for (const cc of ['public, max-age=60', 'max-age=60, must-revalidate', 's-maxage=60']) {
        const path = target(`a${cc.length}`, { 'Cache-Control': cc });
        expect((await rawGet(`${url}${path}`, alice)).headers['x-cache']).toBe('MISS');
        // Stored once the response has gone out, uncoalesced: probed with HEAD, which stores nothing.
        await waitFor(async () => (await rawGet(`${url}${path}`, {}, 'HEAD')).headers['x-cache'] === 'HIT');
        const anonymous = await rawGet(`${url}${path}`);
        expect(anonymous.headers['x-cache']).toBe('HIT');
        expect(anonymous.body).toMatch(/ 1 for Bearer alice$/);
        // Another user still reaches the handler.
        const other = await rawGet(`${url}${path}`, bob);
        expect(other.headers['x-cache']).not.toBe('HIT');
        expect(other.body).toMatch(/ for Bearer bob$/);
      }
      const personal = target('apersonal', { 'Cache-Control': 'max-age=60' });
      expect((await rawGet(`${url}${personal}`, alice)).headers['x-cache']).toBe('BYPASS');
      expect((await rawGet(`${url}${personal}`)).body).toBe('apersonal 2');
      expect((await rawGet(`${url}${personal}`)).headers['x-cache']).toBe('HIT');
      // Varying on credentials would put them in a key: not stored.
      const varied = target('avary', { 'Cache-Control': 'public, max-age=60', Vary: 'Authorization' });
      await rawGet(`${url}${varied}`, alice);
      expect((await rawGet(`${url}${varied}`, alice)).body).toBe('avary 2 for Bearer alice');
      expect((await rawGet(`${url}${varied}`)).body).toBe('avary 3');
    },
  },
  {
    name: 'Range: one byte range of a stored complete response is served as 206 from the cache',
    async run(url) {
      const route = target('rangebody', { 'Cache-Control': 'max-age=60', ETag: '"v1"' });
      const path = `${url}${route}`;
      const full = await twice(url, route);
      expect(full.body).toBe('rangebody 1');
      const ranges: Array<[string, number, string, string | undefined]> = [
        ['bytes=0-4', 206, 'range', 'bytes 0-4/11'],
        ['bytes=5-', 206, 'body 1', 'bytes 5-10/11'],
        ['bytes=-1', 206, '1', 'bytes 10-10/11'],
        // Several ranges, or none satisfiable: the whole body (a server may ignore Range).
        ['bytes=0-1,4-5', 200, 'rangebody 1', undefined],
        ['bytes=50-', 200, 'rangebody 1', undefined],
      ];
      for (const [range, status, body, contentRange] of ranges) {
        const answer = await rawGet(path, { range });
        expect([answer.status, answer.body, answer.headers['content-range']]).toEqual([
          status,
          body,
          contentRange,
        ]);
        expect(answer.headers['x-cache']).toBe('HIT');
        expect(answer.headers['content-length']).toBe(String(body.length));
      }
      // If-Range: the range only while the stored ETag is the one the client holds (strong match).
      expect((await rawGet(path, { range: 'bytes=0-4', 'if-range': '"v1"' })).status).toBe(206);
      for (const other of ['"v2"', 'W/"v1"']) {
        const changed = await rawGet(path, { range: 'bytes=0-4', 'if-range': other });
        expect([changed.status, changed.body]).toEqual([200, 'rangebody 1']);
      }
    },
  },
  {
    name: 'Vary: Accept-* values normalised (whitespace, case, Accept-Language order), other fields kept',
    async run(url) {
      const language = target('vl', { 'Cache-Control': 'max-age=60', Vary: 'Accept-Language' });
      await rawGet(`${url}${language}`, { 'accept-language': 'en, de;q=0.5, fr' });
      for (const same of ['fr,en, de;q=0.5', ' EN , FR ,  De;q=0.5']) {
        const hit = await rawGet(`${url}${language}`, { 'accept-language': same });
        expect(hit.headers['x-cache']).toBe('HIT');
      }
      const other = await rawGet(`${url}${language}`, { 'accept-language': 'en, de, fr' });
      expect(other.headers['x-cache']).not.toBe('HIT');
      // Case folds in ASCII only, and only spaces and tabs are trimmed: obs-text stays as sent.
      await rawGet(`${url}${language}`, { 'accept-language': 'x\u00c0' });
      for (const other of ['x\u00e0', '\u00a0x\u00c0'])
        expect((await rawGet(`${url}${language}`, { 'accept-language': other })).headers['x-cache']).not.toBe(
          'HIT',
        );
      // An unknown header's syntax is unknown: only its edges are trimmed; spacing inside, empty
      // list items and case make other variants.
      const foo = target('vf', { 'Cache-Control': 'max-age=60', Vary: 'Foo' });
      await rawGet(`${url}${foo}`, { foo: '1,2' });
      expect((await rawGet(`${url}${foo}`, { foo: '  1,2 ' })).headers['x-cache']).toBe('HIT');
      for (const other of ['1, 2', '1,,2', ',', 'A', 'a', '\u00a01,2'])
        expect((await rawGet(`${url}${foo}`, { foo: other })).headers['x-cache']).not.toBe('HIT');
    },
  },
];
