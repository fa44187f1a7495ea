import { loginPath, mainPath, sessionUser } from '../servers/routes';

/**
 * Creates a session on the server (GET /login) and returns the Cookie header that carries it,
 * after checking that a request with it reads the session back: a misconfigured session (a cookie
 * that is never set or never read) would otherwise bench a store that is never used.
 */
export async function loginCookie(baseUrl: string): Promise<string> {
  const login = await fetch(`${baseUrl}${loginPath}`);
  await login.arrayBuffer();
  const setCookie = login.headers.getSetCookie()[0];
  if (!setCookie) throw new Error(`${baseUrl}${loginPath} set no session cookie`);
  const cookie = setCookie.split(';')[0] ?? '';
  const check = await fetch(`${baseUrl}${mainPath}`, { headers: { cookie } });
  const body = (await check.json()) as { user?: unknown };
  if (body.user !== sessionUser) {
    throw new Error(`${baseUrl}: the session cookie did not carry the session (${JSON.stringify(body)})`);
  }
  return cookie;
}
