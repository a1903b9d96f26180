import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../src/auth/scope.js';
import { JWKS_FILE, SECRETS_FILE } from '../../src/authorization-server/local-secrets.js';
import { json } from '../helpers/http.js';
import { deleteRegisteredClients, makeDataDir, removeDataDir, startEmbeddedIssuerApp, type EmbeddedIssuerApp } from '../helpers/oauth-app.js';
import { authorizationUrl, authorizeInBrowserless, clientCredentials, pkcePair, registerPublicClient, tokenRequest } from '../helpers/oauth-client.js';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';

// Keys and secrets live under DATA_DIR, clients and grants in Postgres: a restart loses nothing.
describe('embedded authorization server: state survives a restart', () => {
  let dataDir: string;
  let first: EmbeddedIssuerApp;
  let second: EmbeddedIssuerApp | undefined;
  let clientId: string;
  let accessToken: string;
  let refreshToken: string;
  let kids: string[];

  beforeAll(async () => {
    dataDir = await makeDataDir();
    first = await startEmbeddedIssuerApp({ dataDir });
    const issuer = first.config.auth.issuer;
    kids = (await json(await fetch(`${issuer}/jwks`))).keys.map((key: { kid: string }) => key.kid);
    accessToken = (await clientCredentials(issuer, 'acme-analyst', first.demoSecret, { scope: Scope.SalesDataRead })).body.access_token;
    clientId = (await registerPublicClient(issuer)).body.client_id;
    const { verifier, challenge } = pkcePair();
    const url = authorizationUrl(issuer, {
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: Scope.CrmRead,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const { redirect } = await authorizeInBrowserless(url, { user: 'oscar@acme' });
    const tokens = await tokenRequest(`${issuer}/token`, {
      grant_type: 'authorization_code',
      code: redirect.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
    });
    refreshToken = tokens.body.refresh_token;
    await first.close();
  });
  afterAll(async () => {
    await second?.close();
    await deleteRegisteredClients([clientId]);
    await removeDataDir(dataDir);
  });

  it('when the app first starts, then the keys (RS256 and ES256) and secrets are written under DATA_DIR readable by the owner only', async () => {
    expect(kids).toHaveLength(2);
    for (const file of [JWKS_FILE, SECRETS_FILE]) expect((await stat(join(dataDir, file))).mode & 0o777).toBe(0o600);
    const algs = (await import(join(dataDir, JWKS_FILE), { with: { type: 'json' } })).default.keys.map((key: { alg: string }) => key.alg);
    expect(algs.sort()).toEqual(['ES256', 'RS256']);
  });

  it('when it restarts on the same DATA_DIR and URL, then it publishes the same keys, keeps the secret, and accepts tokens issued before', async () => {
    second = await startEmbeddedIssuerApp({ dataDir, port: first.port });
    const issuer = second.config.auth.issuer;
    expect((await json(await fetch(`${issuer}/jwks`))).keys.map((key: { kid: string }) => key.kid)).toEqual(kids);
    expect(second.demoSecret).toBe(first.demoSecret);
    const sales = await fetch(`${second.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(sales.status).toBe(200);
  });

  it('when it has restarted, then the registered client and its refresh token (kept in Postgres) still work', async () => {
    const refreshed = await tokenRequest(`${second!.config.auth.issuer}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
    expect(refreshed.status).toBe(200);
    const crm = await fetch(`${second!.baseUrl}/probe/crm`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
    expect((await json(crm)).principal).toMatchObject({ subject: 'oscar@acme', tenantId: 'acme' });
  });
});
