import {
  auth,
  extractWWWAuthenticateParams,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
} from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../src/auth/scope.js';
import { createDataSource } from '../../src/database/data-source.js';
import { json } from '../helpers/http.js';
import { startEmbeddedIssuerApp, type EmbeddedIssuerApp } from '../helpers/oauth-app.js';
import { authorizeInBrowserless } from '../helpers/oauth-client.js';
import { testDatabaseUrl } from '../helpers/test-app.js';

const REDIRECT_URI = 'http://127.0.0.1:9/mcp-client/callback';

/** What an MCP client keeps between the steps of its OAuth flow (here: in memory). */
class InMemoryOAuthClient implements OAuthClientProvider {
  information?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier = '';
  discovery?: OAuthDiscoveryState;
  authorizationUrl?: URL;

  get redirectUrl(): string {
    return REDIRECT_URI;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'MCP SDK e2e client',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  // Lets the SDK check that the code comes back from the authorization server it started with.
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

// The official MCP TypeScript SDK client finds its own way: 401 challenge → RFC 9728 metadata →
// our issuer's RFC 8414 metadata → RFC 7591 registration → code + PKCE (a person on the login
// page) → token → a successful call. (The MCP endpoint is not mounted yet: the 401 and the call
// use a protected route of the same resource.)
describe('embedded authorization server: an MCP SDK client authorizes by itself', () => {
  let s: EmbeddedIssuerApp;
  const client = new InMemoryOAuthClient();
  beforeAll(async () => {
    s = await startEmbeddedIssuerApp();
  });
  afterAll(async () => {
    const clientId = client.information?.client_id;
    if (clientId) {
      const dataSource = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
      await dataSource.initialize();
      await dataSource.query(`DELETE FROM oauth_state WHERE model = 'Client' AND id = $1`, [clientId]);
      await dataSource.destroy();
    }
    await s.close();
  });

  it('when the client meets a 401, then auth() discovers, registers and asks for authorization with PKCE S256 and our resource', async () => {
    const challenge = await fetch(`${s.baseUrl}/probe/sales`);
    expect(challenge.status).toBe(401);
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(challenge);
    expect(resourceMetadataUrl?.href).toBe(`${s.baseUrl}/.well-known/oauth-protected-resource`);
    expect(scope).toBe(Scope.SalesDataRead);

    const result = await auth(client, { serverUrl: `${s.baseUrl}/mcp`, resourceMetadataUrl, scope });
    expect(result).toBe('REDIRECT');
    expect(client.information?.client_id).toEqual(expect.any(String));
    const url = client.authorizationUrl!;
    expect(url.origin + url.pathname).toBe(`${s.config.auth.issuer}/auth`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    // The SDK adds offline_access because our metadata offers it (for a refresh token).
    expect(url.searchParams.get('scope')!.split(' ')).toContain(Scope.SalesDataRead);
    expect(new URL(url.searchParams.get('resource')!).href).toBe(new URL(s.config.resourceUrl).href);
  });

  it('when the person signs in, then auth() exchanges the code and the token opens the route that answered 401', async () => {
    const { redirect } = await authorizeInBrowserless(client.authorizationUrl!.href, { user: 'alice@acme' });
    const result = await auth(client, {
      serverUrl: `${s.baseUrl}/mcp`,
      resourceMetadataUrl: new URL(`${s.baseUrl}/.well-known/oauth-protected-resource`),
      authorizationCode: redirect.searchParams.get('code')!,
      iss: redirect.searchParams.get('iss') ?? undefined,
    });
    expect(result).toBe('AUTHORIZED');
    const accessToken = client.saved!.access_token;
    expect(decodeJwt(accessToken)).toMatchObject({ aud: s.config.resourceUrl, org_id: 'acme', sub: 'alice@acme', scope: Scope.SalesDataRead });
    expect(client.saved!.refresh_token).toEqual(expect.any(String));
    const response = await fetch(`${s.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(response.status).toBe(200);
    expect((await json(response)).principal.tenantId).toBe('acme');
  });
});
