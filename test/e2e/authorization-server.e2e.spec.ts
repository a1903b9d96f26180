import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES, Scope } from '../../src/auth/scope.js';
import { json } from '../helpers/http.js';
import { startEmbeddedIssuerApp, type EmbeddedIssuerApp } from '../helpers/oauth-app.js';
import { clientCredentials } from '../helpers/oauth-client.js';

// The embedded authorization server as a client sees it: discovery, client credentials, the
// tokens' shape, and our resource server accepting them through discovery + JWKS over HTTP.
describe('embedded authorization server: discovery and client credentials', () => {
  let s: EmbeddedIssuerApp;
  let issuer: string;
  beforeAll(async () => {
    s = await startEmbeddedIssuerApp({ env: { ACCESS_TOKEN_TTL_SECONDS: '600' } });
    issuer = s.config.auth.issuer;
  });
  afterAll(() => s.close());

  const token = (clientId: string, form: Record<string, string>) => clientCredentials(issuer, clientId, s.demoSecret, form);
  const call = (path: string, accessToken: string, method = 'GET') =>
    fetch(`${s.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${accessToken}` } });

  it('when AUTH_ISSUER is unset, then the issuer is PUBLIC_URL/oauth and its metadata is served at both discovery locations', async () => {
    expect(issuer).toBe(`${s.baseUrl}/oauth`);
    const oidc = await fetch(`${s.baseUrl}/oauth/.well-known/openid-configuration`);
    const rfc8414 = await fetch(`${s.baseUrl}/.well-known/oauth-authorization-server/oauth`);
    expect([oidc.status, rfc8414.status]).toEqual([200, 200]);
    const metadata = await json(oidc);
    expect(await json(rfc8414)).toEqual(metadata);
    expect(metadata).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      registration_endpoint: `${issuer}/reg`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      authorization_response_iss_parameter_supported: true,
    });
    expect([...metadata.grant_types_supported].sort()).toEqual(['authorization_code', 'client_credentials', 'refresh_token']);
  });

  it('when the catalog is read, then exactly every scope and its parent are offered (plus OpenID), nothing broader', async () => {
    const metadata = await json(await fetch(`${issuer}/.well-known/openid-configuration`));
    const derived = new Set(['openid', 'offline_access', ...ALL_SCOPES, ...ALL_SCOPES.map((scope) => scope.slice(0, scope.lastIndexOf(':')))]);
    expect(new Set(metadata.scopes_supported)).toEqual(derived);
    expect(metadata.scopes_supported).toContain('mcp:tools:sales-data');
  });

  it('when the metadata is asked for under another Host, then its URLs still name PUBLIC_URL', async () => {
    const metadata = await json(await fetch(`http://localhost:${s.port}/oauth/.well-known/openid-configuration`));
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.token_endpoint).toBe(`${issuer}/token`);
  });

  it('when acme-analyst asks for sales-data:read, then it gets an RFC 9068 JWT for our resource with its tenant, signed by a published key', async () => {
    const { status, body } = await token('acme-analyst', { scope: Scope.SalesDataRead });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: Scope.SalesDataRead });
    expect(body.refresh_token).toBeUndefined();
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
      issuer,
      audience: s.config.resourceUrl,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ aud: s.baseUrl, sub: 'acme-analyst', client_id: 'acme-analyst', org_id: 'acme', scope: Scope.SalesDataRead });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it('when the token is used, then the resource server accepts it for its scope and tenant, and refuses other scopes', async () => {
    const { body } = await token('acme-analyst', { scope: `${Scope.SalesDataRead} ${Scope.CrmRead}` });
    const sales = await call('/probe/sales', body.access_token);
    expect(sales.status).toBe(200);
    expect((await json(sales)).principal).toMatchObject({ subject: 'acme-analyst', clientId: 'acme-analyst', tenantId: 'acme' });
    expect((await call('/probe/crm', body.access_token)).status).toBe(200);
    const write = await call('/probe/crm', body.access_token, 'POST');
    expect(write.status).toBe(403);
    expect(await json(write)).toMatchObject({ error: 'insufficient_scope', required_scope: Scope.CrmWrite });
  });

  it("when the seed article's request is made (scope=mcp:tools:sales-data, a parent scope), then the token carries it and it grants sales-data:read only", async () => {
    const { status, body } = await token('acme-analyst', { scope: 'mcp:tools:sales-data' });
    expect(status).toBe(200);
    expect(body.scope).toBe('mcp:tools:sales-data');
    expect((await call('/probe/sales', body.access_token)).status).toBe(200);
    expect((await call('/probe/crm', body.access_token)).status).toBe(403);
  });

  it("when the seed article's call follows (POST /mcp/tools/sales-data, sales/get_forecast for North America), then 200 with a result", async () => {
    const { body } = await token('acme-analyst', { scope: 'mcp:tools:sales-data' });
    const rpc = (accessToken: string) =>
      fetch(`${s.baseUrl}/mcp/tools/sales-data`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'sales/get_forecast', params: { region: 'North America' } }),
      });
    const response = await rpc(body.access_token);
    expect(response.status).toBe(200);
    expect(await json(response)).toHaveProperty('result');
    const crmOnly = await token('acme-analyst', { scope: Scope.CrmRead });
    expect((await rpc(crmOnly.body.access_token)).status).toBe(403);
  });

  it('when globex-analyst and acme-ops ask, then each token names its own tenant and scopes', async () => {
    const globex = await token('globex-analyst', { scope: Scope.CrmRead });
    const ops = await token('acme-ops', { scope: `${Scope.CrmWrite} mcp:tools:crm` });
    expect(ops.body.scope).toBe(`${Scope.CrmWrite} mcp:tools:crm`);
    expect((await json(await call('/probe/crm', globex.body.access_token))).principal.tenantId).toBe('globex');
    expect((await call('/probe/crm', ops.body.access_token, 'POST')).status).toBe(201);
  });

  it('when a client asks beyond its own scopes, then invalid_scope (crm:write, or a parent that would include it)', async () => {
    for (const scope of [Scope.CrmWrite, 'mcp:tools:crm', Scope.AuditRead]) {
      const { status, body } = await token('acme-analyst', { scope });
      expect({ scope, status, error: body.error }).toEqual({ scope, status: 400, error: 'invalid_scope' });
    }
  });

  it('when no scope is requested, then invalid_scope listing what the client may ask for (no silent default)', async () => {
    const { status, body } = await token('acme-analyst', {});
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_scope');
    expect(body.scope.split(' ')).toEqual(expect.arrayContaining([Scope.SalesDataRead, Scope.CrmRead, 'mcp:tools:sales-data']));
  });

  it('when the secret is wrong or the client unknown, then invalid_client', async () => {
    expect((await clientCredentials(issuer, 'acme-analyst', 'not-the-secret', { scope: Scope.CrmRead })).body.error).toBe('invalid_client');
    expect((await clientCredentials(issuer, 'nobody', s.demoSecret, { scope: Scope.CrmRead })).body.error).toBe('invalid_client');
  });

  it('when another resource is requested, then invalid_target; when ours with a trailing slash, then aud is RESOURCE_URL exactly', async () => {
    const other = await token('acme-analyst', { scope: Scope.CrmRead, resource: 'https://crm-internal.example.test/api' });
    expect(other).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    const ours = await token('acme-analyst', { scope: Scope.CrmRead, resource: `${s.baseUrl}/` });
    expect(ours.status).toBe(200);
    const payload = JSON.parse(Buffer.from(ours.body.access_token.split('.')[1], 'base64url').toString());
    expect(payload.aud).toBe(s.config.resourceUrl);
  });

  it('when readiness is asked, then the signing keys come from our own /oauth over HTTP and it is ready', async () => {
    const ready = await fetch(`${s.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await json(ready)).info.signingKeys.status).toBe('up');
  });
});
