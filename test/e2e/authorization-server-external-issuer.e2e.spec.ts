import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH2_SCHEME } from '../../src/auth/require-scopes.decorator.js';
import { json } from '../helpers/http.js';
import { ProbeModule } from '../helpers/probe.module.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';
import { TestIssuer } from '../helpers/test-issuer.js';

// With AUTH_ISSUER set, the embedded server is off entirely and the app trusts that issuer only.
describe('embedded authorization server: off when AUTH_ISSUER is set', () => {
  let issuer: TestIssuer;
  let t: TestApp;
  let tenant: string;
  let dropTenants: () => Promise<void>;
  beforeAll(async () => {
    issuer = await new TestIssuer().start();
    tenant = uniqueTenantId('ext');
    dropTenants = await createTenants(tenant);
    t = await startTestApp({ AUTH_ISSUER: issuer.url }, [ProbeModule]);
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
    await dropTenants();
  });

  it('when AUTH_ISSUER is set, then nothing answers under /oauth or at its metadata locations', async () => {
    for (const path of ['/oauth/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/oauth', '/oauth/jwks']) {
      expect({ path, status: (await fetch(`${t.baseUrl}${path}`)).status }).toEqual({ path, status: 404 });
    }
    const token = await fetch(`${t.baseUrl}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    expect(token.status).toBe(404);
  });

  it("when AUTH_ISSUER is set, then the PRM names that issuer and the app accepts that issuer's tokens", async () => {
    const prm = await json(await fetch(`${t.baseUrl}/.well-known/oauth-protected-resource`));
    expect(prm.authorization_servers).toEqual([issuer.url]);
    const token = issuer.mint(t.config.auth.audience, { claims: { org_id: tenant } });
    const response = await fetch(`${t.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect((await json(response)).principal.tenantId).toBe(tenant);
  });

  it("when the external issuer's metadata answered at boot, then Swagger's OAuth2 scheme uses its token endpoint", async () => {
    const document = await json(await fetch(`${t.baseUrl}/docs-json`));
    const scheme = document.components.securitySchemes[OAUTH2_SCHEME];
    expect(scheme.flows.clientCredentials.tokenUrl).toBe(`${issuer.url}/token`);
    // The test issuer has no authorization endpoint: no code flow is offered.
    expect(scheme.flows.authorizationCode).toBeUndefined();
  });
});

describe('Swagger with an unreachable external issuer', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A port nobody listens on: discovery fails fast, start-up goes on.
    t = await startTestApp({ AUTH_ISSUER: 'http://127.0.0.1:9/issuer' }, [ProbeModule]);
  });
  afterAll(() => t.close());

  it('when the issuer does not answer at boot, then Swagger offers bearer only and no operation names the missing OAuth2 scheme', async () => {
    const document = await json(await fetch(`${t.baseUrl}/docs-json`));
    expect(document.components.securitySchemes[OAUTH2_SCHEME]).toBeUndefined();
    expect(JSON.stringify(document.paths)).not.toContain(`"${OAUTH2_SCHEME}"`);
    expect(JSON.stringify(document.paths)).toContain('"bearer"');
  });
});
