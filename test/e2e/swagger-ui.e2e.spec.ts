import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES, Scope, SCOPE_DESCRIPTIONS } from '../../src/auth/scope.js';
import { OAUTH2_SCHEME } from '../../src/auth/require-scopes.decorator.js';
import { json } from '../helpers/http.js';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { deleteRegisteredClients, startEmbeddedIssuerApp, type EmbeddedIssuerApp } from '../helpers/oauth-app.js';
import { type Browser, launchChromium } from '../helpers/oauth-browser.js';
import { registerPublicClient } from '../helpers/oauth-client.js';

// A sales call (GET /api/v1/sales/forecast, sales-data:read), as the issue asks.
const OPERATION = '#operations-sales-SalesController_forecast';

/** Opens Swagger UI's "Authorize" dialog and returns the section of one OAuth2 flow. */
async function openFlow(page: Page, baseUrl: string, flow: 'clientCredentials' | 'authorizationCode'): Promise<Locator> {
  await page.goto(`${baseUrl}/docs`);
  await page.locator('.auth-wrapper button.authorize').click();
  const section = page.locator('.auth-container').filter({ hasText: `Flow: ${flow}` });
  await section.waitFor();
  return section;
}

/** Ticks a scope (Swagger UI hides the checkbox behind its label). */
function tickScope(section: Locator, flow: string, scope: string): Promise<void> {
  return section.locator(`label[for="${scope}-${flow}-checkbox-${OAUTH2_SCHEME}"]`).click();
}

/** Code flow + PKCE from the dialog: the popup shows the login page, a demo user is picked, the popup hands the code back. */
async function authorizeWithCode(page: Page, section: Locator, user: string): Promise<void> {
  await tickScope(section, 'authorizationCode', Scope.SalesDataRead);
  const opened = page.waitForEvent('popup');
  await section.locator('button.authorize').click();
  const login = await opened;
  await login.waitForLoadState();
  expect(new URL(login.url()).pathname).toMatch(/^\/oauth\/interaction\//);
  expect(await login.locator('body').innerText()).toContain(SCOPE_DESCRIPTIONS[Scope.SalesDataRead]);
  await login.locator(`input[value="${user}"]`).check();
  await login.getByRole('button', { name: 'Allow' }).click();
  // oauth2-redirect.html hands the code to the opener (which holds the PKCE verifier) and closes itself.
  await login.waitForEvent('close', { timeout: 20_000 });
  await section.getByText('Authorized').waitFor();
}

/** Closes the dialog, runs "Try it out" → "Execute" on the operation, returns the live status. */
async function executeOperation(page: Page): Promise<string> {
  await page.locator('.modal-ux button.close-modal').click();
  const operation = page.locator(OPERATION);
  await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  await operation.getByRole('button', { name: 'Execute' }).click();
  const status = operation.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  return (await status.innerText()).trim();
}

describe('Swagger UI "Authorize" against the embedded authorization server (real Chromium)', () => {
  let s: EmbeddedIssuerApp;
  let browser: Browser | undefined;
  beforeAll(async () => {
    s = await startEmbeddedIssuerApp({ extraImports: [] });
  });
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });
  afterAll(() => s.close());

  it('when the OpenAPI document is read, then its OAuth2 scheme offers both flows on our issuer with the catalog scopes, PKCE on', async () => {
    const document = await json(await fetch(`${s.baseUrl}/docs-json`));
    const { flows } = document.components.securitySchemes[OAUTH2_SCHEME];
    const scopes = Object.fromEntries(ALL_SCOPES.map((scope) => [scope, SCOPE_DESCRIPTIONS[scope]]));
    expect(flows.clientCredentials).toEqual({ tokenUrl: `${s.config.auth.issuer}/token`, scopes });
    expect(flows.authorizationCode).toMatchObject({ authorizationUrl: `${s.config.auth.issuer}/auth`, tokenUrl: `${s.config.auth.issuer}/token`, scopes });
    const init = await (await fetch(`${s.baseUrl}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('"usePkceWithAuthorizationCodeGrant": true');
    expect(init).toContain(`"oauth2RedirectUrl": "${s.baseUrl}/docs/oauth2-redirect.html"`);
    expect((await fetch(`${s.baseUrl}/docs/oauth2-redirect.html`)).status).toBe(200);
  });

  it('when Swagger UI pages are served, then their popups keep their opener (COOP relaxed under /docs only; none on the redirect page)', async () => {
    const coop = async (path: string) => (await fetch(`${s.baseUrl}${path}`)).headers.get('cross-origin-opener-policy');
    expect(await coop('/docs')).toBe('same-origin-allow-popups');
    expect(await coop('/docs/swagger-ui-init.js')).toBe('same-origin-allow-popups');
    expect(await coop('/docs/oauth2-redirect.html')).toBe('unsafe-none');
    expect(await coop('/docs/oauth2-redirect.html?state=x')).toBe('unsafe-none');
    // Everything else keeps helmet's default.
    expect(await coop('/docs-json')).toBe('same-origin');
    expect(await coop('/health/live')).toBe('same-origin');
    expect(await coop('/api/v1/sales/pipeline')).toBe('same-origin');
  });

  it('when a person authorizes with client credentials (acme-analyst) and executes a sales call, then it answers 200', async () => {
    browser = await launchChromium();
    const page = await browser.context.newPage();
    const section = await openFlow(page, s.baseUrl, 'clientCredentials');
    await section.locator('#client_id_clientCredentials').fill('acme-analyst');
    await section.locator('#client_secret_clientCredentials').fill(s.demoSecret);
    await tickScope(section, 'clientCredentials', Scope.SalesDataRead);
    await section.locator('button.authorize').click();
    await section.getByText('Authorized').waitFor();
    expect(await executeOperation(page)).toBe('200');
  }, 60_000);

  it('when a person authorizes with the code flow + PKCE and picks a demo user on the login page, then a sales call answers 200', async () => {
    browser = await launchChromium();
    const page = await browser.context.newPage();
    const section = await openFlow(page, s.baseUrl, 'authorizationCode');
    expect(await section.locator('#client_id_authorizationCode').inputValue()).toBe('swagger-ui');
    await authorizeWithCode(page, section, 'gina@globex');
    expect(await executeOperation(page)).toBe('200');
  }, 60_000);
});

// An external issuer, played by a second instance of this app (its embedded server, on another
// origin): Swagger UI discovers its endpoints at boot, the popup crosses origins and comes back.
describe('Swagger UI "Authorize" against an external issuer on another origin (real Chromium)', () => {
  let issuerApp: EmbeddedIssuerApp;
  let api: EmbeddedIssuerApp;
  let clientId: string;
  let browser: Browser | undefined;
  beforeAll(async () => {
    const apiPort = await findFreePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // The issuer mints tokens for the API's resource URL.
    issuerApp = await startEmbeddedIssuerApp({ env: { RESOURCE_URL: apiUrl }, extraImports: [] });
    clientId = (await registerPublicClient(issuerApp.config.auth.issuer, { client_name: 'Swagger UI of another API', redirect_uris: [`${apiUrl}/docs/oauth2-redirect.html`] })).body.client_id;
    api = await startEmbeddedIssuerApp({ port: apiPort, env: { AUTH_ISSUER: issuerApp.config.auth.issuer }, extraImports: [] });
  });
  afterAll(async () => {
    await browser?.close();
    await api.close();
    await issuerApp.close();
    await deleteRegisteredClients([clientId]);
  });

  it('when a person authorizes with the code flow at the external issuer, then the popup returns the code and a sales call answers 200', async () => {
    const document = await json(await fetch(`${api.baseUrl}/docs-json`));
    expect(document.components.securitySchemes[OAUTH2_SCHEME].flows.authorizationCode.authorizationUrl).toBe(`${issuerApp.config.auth.issuer}/auth`);
    browser = await launchChromium();
    const page = await browser.context.newPage();
    const section = await openFlow(page, api.baseUrl, 'authorizationCode');
    await section.locator('#client_id_authorizationCode').fill(clientId);
    await authorizeWithCode(page, section, 'alice@acme');
    expect(await executeOperation(page)).toBe('200');
  }, 60_000);
});
