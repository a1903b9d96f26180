import {
  Client,
  extractWWWAuthenticateParams,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
} from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../src/auth/scope.js';
import { json } from '../helpers/http.js';
import { deleteRegisteredClients, startEmbeddedIssuerApp, type EmbeddedIssuerApp } from '../helpers/oauth-app.js';
import { authorizeInBrowserless } from '../helpers/oauth-client.js';

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

// The official MCP TypeScript SDK client finds its own way: a 401 on /mcp → RFC 9728 metadata →
// our issuer's RFC 8414 metadata → RFC 7591 registration → code + PKCE (a person on the login
// page) → token → MCP calls that succeed.
describe('embedded authorization server: an MCP SDK client goes from a 401 on /mcp to a tool call by itself', () => {
  let s: EmbeddedIssuerApp;
  const oauth = new InMemoryOAuthClient();
  const mcpUrl = () => new URL(`${s.baseUrl}/mcp`);
  beforeAll(async () => {
    s = await startEmbeddedIssuerApp({ extraImports: [] });
  });
  afterAll(async () => {
    if (oauth.information?.client_id) await deleteRegisteredClients([oauth.information.client_id]);
    await s.close();
  });

  it('when /mcp is called without a token, then 401 points at the protected resource metadata', async () => {
    const response = await fetch(mcpUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(response.status).toBe(401);
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(response);
    expect(resourceMetadataUrl?.href).toBe(`${s.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    expect((await json(await fetch(resourceMetadataUrl!))).authorization_servers).toEqual([s.config.auth.issuer]);
  });

  it('when the client connects, then it discovers, registers and sends the person to our login page (PKCE S256, our resource)', async () => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    // The SDK stops where a browser must take over: it has called redirectToAuthorization().
    await expect(client.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: oauth }))).rejects.toBeInstanceOf(UnauthorizedError);
    expect(oauth.information?.client_id).toEqual(expect.any(String));
    const url = oauth.authorizationUrl!;
    expect(url.origin + url.pathname).toBe(`${s.config.auth.issuer}/auth`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')!.split(' ')).toContain(Scope.CrmRead);
    expect(new URL(url.searchParams.get('resource')!).href).toBe(new URL(s.config.resourceUrl).href);
  });

  it('when the person signs in, then the client finishes with a token for their tenant and lists and calls tools', async () => {
    const { redirect } = await authorizeInBrowserless(oauth.authorizationUrl!.href, { user: 'alice@acme' });
    const transport = new StreamableHTTPClientTransport(mcpUrl(), { authProvider: oauth });
    await transport.finishAuth(redirect.searchParams.get('code')!, redirect.searchParams.get('iss') ?? undefined);
    expect(decodeJwt(oauth.saved!.access_token)).toMatchObject({ aud: s.config.resourceUrl, org_id: 'acme', sub: 'alice@acme' });
    expect(oauth.saved!.refresh_token).toEqual(expect.any(String));

    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('crm_search_accounts');
      const result = await client.callTool({ name: 'crm_search_accounts', arguments: {} });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});
