import type { AppModuleOptions } from '../../src/app.module.js';
import { ProbeModule } from './probe.module.js';
import { startTestApp, type TestApp } from './test-app.js';
import { createTenants, uniqueTenantId } from './tenants.js';
import { TestIssuer, type MintOptions } from './test-issuer.js';

export interface AuthFixture {
  issuer: TestIssuer;
  t: TestApp;
  tenantA: string;
  tenantB: string;
  /** A token for the app's audience and tenant A; options override claims/header. */
  token(options?: MintOptions): string;
  get(path: string, token?: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** The app trusting a real test issuer (JWKS over HTTP), with probe routes and two fresh tenants. */
export async function startAuthFixture(
  /** Extra environment; a function receives the started issuer (e.g. to name its JWKS URL). */
  env: Record<string, string> | ((issuer: TestIssuer) => Record<string, string>) = {},
  extraImports: NonNullable<AppModuleOptions['extraImports']> = [],
): Promise<AuthFixture> {
  const issuer = await new TestIssuer().start();
  const tenantA = uniqueTenantId('tenant-a');
  const tenantB = uniqueTenantId('tenant-b');
  const dropTenants = await createTenants(tenantA, tenantB);
  const extraEnv = typeof env === 'function' ? env(issuer) : env;
  const t = await startTestApp({ AUTH_ISSUER: issuer.url, ...extraEnv }, [ProbeModule, ...extraImports]);
  const token = (options: MintOptions = {}) =>
    issuer.mint(t.config.auth.audience, { ...options, claims: { org_id: tenantA, ...options.claims } });
  const get = (path: string, bearer?: string, headers: Record<string, string> = {}) =>
    fetch(`${t.baseUrl}${path}`, { headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers } });
  return {
    issuer,
    t,
    tenantA,
    tenantB,
    token,
    get,
    close: async () => {
      await t.close();
      await issuer.stop();
      await dropTenants();
    },
  };
}
