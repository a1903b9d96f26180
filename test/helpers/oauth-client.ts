import { createHash, randomBytes } from 'node:crypto';

/** The JSON of a token endpoint answer (success or error). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TokenResponse = Record<string, any>;

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** POSTs a form to the token endpoint; `auth` = [client_id, secret] for HTTP Basic. */
export async function tokenRequest(
  tokenUrl: string,
  form: Record<string, string>,
  auth?: [string, string],
): Promise<{ status: number; body: TokenResponse }> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: basic(...auth) } : {}) },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as TokenResponse };
}

/** A client-credentials token request for a demo client. */
export function clientCredentials(issuer: string, clientId: string, secret: string, form: Record<string, string> = {}) {
  return tokenRequest(`${issuer}/token`, { grant_type: 'client_credentials', ...form }, [clientId, secret]);
}

/** RFC 7591 registration of a public client (no secret) for the authorization code flow. */
export async function registerPublicClient(issuer: string, metadata: Record<string, unknown> = {}): Promise<{ status: number; body: TokenResponse }> {
  const response = await fetch(`${issuer}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'e2e public client',
      redirect_uris: ['http://127.0.0.1:9/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...metadata,
    }),
  });
  return { status: response.status, body: (await response.json()) as TokenResponse };
}

/**
 * A minimal cookie-keeping user agent that does not follow redirects, so each hop of a browser
 * flow (authorize → login page → resume → redirect URI) can be looked at.
 */
export class Browserless {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  async postForm(url: string, form: Record<string, string>): Promise<Response> {
    return this.send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((attribute) => /^\s*expires=Thu, 01 Jan 1970/i.test(attribute)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

export interface AuthorizationResult {
  /** The final redirect to the client: `code` and `iss`, or `error`. */
  redirect: URL;
  /** The login page's HTML, as the person saw it. */
  loginPage: string;
}

/**
 * Drives a whole authorization request like a browser: follows the redirects to the login page,
 * submits the picked demo user (or a denial), and follows back to the client's redirect URI.
 */
export async function authorizeInBrowserless(
  authorizationUrl: string,
  choice: { user: string } | { deny: true },
  agent = new Browserless(),
): Promise<AuthorizationResult> {
  let response = await agent.get(authorizationUrl);
  let location = followable(response, authorizationUrl);
  while (location && !location.pathname.includes('/interaction/')) {
    response = await agent.get(location.href);
    location = followable(response, location.href);
  }
  if (!location) throw new Error(`the authorization request did not reach the login page: ${response.status} ${await response.text()}`);
  const page = await agent.get(location.href);
  const loginPage = await page.text();
  if (page.status !== 200) throw new Error(`login page answered ${page.status}: ${loginPage}`);
  const action = /<form method="post" action="([^"]+)"/.exec(loginPage)?.[1];
  if (!action) throw new Error('no form on the login page');
  const form: Record<string, string> = 'deny' in choice ? { action: 'deny' } : { action: 'allow', user: choice.user };
  response = await agent.postForm(new URL(action, location).href, form);
  let next = followable(response, location.href);
  while (next && next.origin === location.origin && next.pathname.startsWith('/oauth/')) {
    response = await agent.get(next.href);
    next = followable(response, next.href);
  }
  if (!next) throw new Error(`the flow did not return to the client: ${response.status} ${await response.text()}`);
  return { redirect: next, loginPage };
}

function followable(response: Response, base: string): URL | undefined {
  const location = response.headers.get('location');
  return response.status >= 300 && response.status < 400 && location ? new URL(location, base) : undefined;
}

/** The authorization URL of a code + PKCE request. */
export function authorizationUrl(issuer: string, params: Record<string, string>): string {
  return `${issuer}/auth?${new URLSearchParams({ response_type: 'code', state: randomBytes(8).toString('hex'), ...params })}`;
}
