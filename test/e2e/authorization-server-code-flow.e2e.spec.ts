import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope, SCOPE_DESCRIPTIONS } from '../../src/auth/scope.js';
import { createDataSource } from '../../src/database/data-source.js';
import { json } from '../helpers/http.js';
import { deleteRegisteredClients, startEmbeddedIssuerApp, type EmbeddedIssuerApp } from '../helpers/oauth-app.js';
import { authorizationUrl, authorizeInBrowserless, pkcePair, registerPublicClient, tokenRequest } from '../helpers/oauth-client.js';
import { testDatabaseUrl } from '../helpers/test-app.js';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const SCOPES = `${Scope.CrmRead} ${Scope.CustomerInsightsRead}`;

async function stateRows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const dataSource = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
  await dataSource.initialize();
  try {
    return await dataSource.query(sql, params);
  } finally {
    await dataSource.destroy();
  }
}

// A person in a browser (driven here with plain HTTP): registration, the login page, the code
// with PKCE, tokens for the picked person's tenant, refresh-token rotation and replay detection.
describe('embedded authorization server: authorization code + PKCE, registration, refresh', () => {
  let s: EmbeddedIssuerApp;
  let issuer: string;
  let clientId: string;
  const registeredIds: string[] = [];
  beforeAll(async () => {
    s = await startEmbeddedIssuerApp();
    issuer = s.config.auth.issuer;
    const registered = await registerPublicClient(issuer);
    expect(registered.status).toBe(201);
    clientId = registered.body.client_id;
    registeredIds.push(clientId);
  });
  afterAll(async () => {
    await deleteRegisteredClients(registeredIds);
    await s.close();
  });

  async function authorize(user: string, extra: Record<string, string> = {}) {
    const { verifier, challenge } = pkcePair();
    const url = authorizationUrl(issuer, {
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: SCOPES,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    const result = await authorizeInBrowserless(url, { user });
    return { ...result, verifier };
  }

  const exchange = (code: string, verifier: string) =>
    tokenRequest(`${issuer}/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: verifier });
  const refresh = (refreshToken: string) => tokenRequest(`${issuer}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });

  it('when a public client registers (RFC 7591), then it gets a client_id, no secret, and its record is in Postgres', async () => {
    const registered = await registerPublicClient(issuer, { client_name: 'second client' });
    expect(registered.status).toBe(201);
    expect(registered.body.client_secret).toBeUndefined();
    registeredIds.push(registered.body.client_id);
    const rows = await stateRows(`SELECT payload FROM oauth_state WHERE model = 'Client' AND id = $1`, [registered.body.client_id]);
    expect(rows).toHaveLength(1);
  });

  it('when the login page is shown, then it lists the requested scopes in words and the demo users, and asks for no password', async () => {
    const { loginPage } = await authorize('alice@acme');
    expect(loginPage).toContain(Scope.CrmRead);
    expect(loginPage).toContain(SCOPE_DESCRIPTIONS[Scope.CrmRead]);
    expect(loginPage).toContain(SCOPE_DESCRIPTIONS[Scope.CustomerInsightsRead]);
    for (const user of ['alice@acme', 'oscar@acme', 'gina@globex']) expect(loginPage).toContain(`value="${user}"`);
    expect(loginPage).not.toMatch(/type="password"/i);
  });

  it('when gina@globex is picked, then the code (with iss, RFC 9207) buys a JWT for globex with the granted scopes, which our API accepts', async () => {
    const { redirect, verifier } = await authorize('gina@globex');
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT_URI);
    expect(redirect.searchParams.get('iss')).toBe(issuer);
    const { status, body } = await exchange(redirect.searchParams.get('code')!, verifier);
    expect(status).toBe(200);
    expect(body.scope.split(' ').sort()).toEqual(SCOPES.split(' ').sort());
    expect(typeof body.refresh_token).toBe('string');
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: 'gina@globex', org_id: 'globex', client_id: clientId, aud: s.config.resourceUrl, iss: issuer });
    const crm = await fetch(`${s.baseUrl}/probe/crm`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(crm.status).toBe(200);
    expect((await json(crm)).principal).toMatchObject({ subject: 'gina@globex', tenantId: 'globex' });
    const sales = await fetch(`${s.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(sales.status).toBe(403);
  });

  it('when the refresh token is used, then it rotates; when an old one is replayed, then invalid_grant and the whole grant is revoked', async () => {
    const { redirect, verifier } = await authorize('alice@acme');
    const first = await exchange(redirect.searchParams.get('code')!, verifier);
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(decodeJwt(second.body.access_token)).toMatchObject({ sub: 'alice@acme', org_id: 'acme' });
    expect((await refresh(first.body.refresh_token)).body.error).toBe('invalid_grant');
    expect((await refresh(second.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('when a refresh token is stored, then it expires within 24 h', async () => {
    const { redirect, verifier } = await authorize('oscar@acme');
    await exchange(redirect.searchParams.get('code')!, verifier);
    const [row] = await stateRows(
      `SELECT extract(epoch FROM expires_at - now())::int AS seconds FROM oauth_state
       WHERE model = 'RefreshToken' AND payload->>'clientId' = $1 AND payload->>'accountId' = 'oscar@acme'`,
      [clientId],
    );
    expect(Number(row.seconds)).toBeGreaterThan(23 * 3600);
    expect(Number(row.seconds)).toBeLessThanOrEqual(24 * 3600);
  });

  it('when the code_verifier is wrong, then invalid_grant; when the code is replayed, then invalid_grant', async () => {
    const wrong = await authorize('alice@acme');
    expect((await exchange(wrong.redirect.searchParams.get('code')!, pkcePair().verifier)).body.error).toBe('invalid_grant');
    const { redirect, verifier } = await authorize('alice@acme');
    const code = redirect.searchParams.get('code')!;
    expect((await exchange(code, verifier)).status).toBe(200);
    expect((await exchange(code, verifier)).body.error).toBe('invalid_grant');
  });

  it('when no code_challenge, or the plain method, is sent, then the authorization request is refused', async () => {
    const missing = await fetch(authorizationUrl(issuer, { client_id: clientId, redirect_uri: REDIRECT_URI, scope: SCOPES }), { redirect: 'manual' });
    expect(new URL(missing.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    const plain = await fetch(
      authorizationUrl(issuer, { client_id: clientId, redirect_uri: REDIRECT_URI, scope: SCOPES, code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }),
      { redirect: 'manual' },
    );
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('when the person denies, then the client gets error=access_denied', async () => {
    const { challenge } = pkcePair();
    const url = authorizationUrl(issuer, { client_id: clientId, redirect_uri: REDIRECT_URI, scope: SCOPES, code_challenge: challenge, code_challenge_method: 'S256' });
    const { redirect } = await authorizeInBrowserless(url, { deny: true });
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('code')).toBeNull();
  });

  it('when a registration claims a tenant or client credentials, then invalid_client_metadata (tenants come from a person or our config)', async () => {
    const tenant = await registerPublicClient(issuer, { tenant_id: 'acme' });
    expect(tenant).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
    const machine = await registerPublicClient(issuer, { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' });
    expect(machine).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
  });

  it('when the login form is posted without the interaction cookie (another site, another browser), then nothing is granted', async () => {
    const { challenge } = pkcePair();
    const start = await fetch(
      authorizationUrl(issuer, { client_id: clientId, redirect_uri: REDIRECT_URI, scope: SCOPES, code_challenge: challenge, code_challenge_method: 'S256' }),
      { redirect: 'manual' },
    );
    const loginUrl = new URL(start.headers.get('location')!, s.baseUrl);
    const forged = await fetch(`${loginUrl.href}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=allow&user=alice%40acme',
    });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('location')).toBeNull();
  });
});
