import type { AppModuleOptions } from '../../src/app.module.js';
import { startAuthFixture, type AuthFixture } from './auth-fixture.js';

export const SALES = 'mcp:tools:sales-data:read';
export const CRM_READ = 'mcp:tools:crm:read';
export const CRM_WRITE = 'mcp:tools:crm:write';
export const AUDIT_READ = 'mcp:admin:audit:read';

export interface McpFixture extends AuthFixture {
  /** A token for tenant A (or `tenant`) with exactly these scopes. */
  tokenFor(scope: string, tenant?: string, claims?: Record<string, unknown>): string;
  /** A REST call with a bearer token; objects are sent as JSON. */
  call(method: string, path: string, token: string, body?: unknown): Promise<Response>;
  /** Creates an account and an opportunity in a tenant through the REST API; returns their ids. */
  seedCrm(tenant: string): Promise<{ accountId: string; opportunityId: string }>;
}

/** The real app (rate limits off: the tests call in bursts) trusting a test issuer, with two tenants. */
export async function startMcpFixture(env: Record<string, string> = {}, extraImports: NonNullable<AppModuleOptions['extraImports']> = []): Promise<McpFixture> {
  const f = await startAuthFixture({ RATE_LIMIT_ENABLED: 'false', ...env }, extraImports);
  const tokenFor = (scope: string, tenant = f.tenantA, claims: Record<string, unknown> = {}) =>
    f.token({ claims: { scope, org_id: tenant, sub: `user-of-${tenant}`, client_id: `client-of-${tenant}`, ...claims } });
  const call = (method: string, path: string, token: string, body?: unknown) =>
    fetch(`${f.t.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const seedCrm = async (tenant: string) => {
    const token = tokenFor(`${CRM_READ} ${CRM_WRITE}`, tenant);
    const account = await call('POST', '/api/v1/crm/accounts', token, { name: `Acme ${tenant}`, region: 'EMEA', segment: 'enterprise' });
    if (account.status !== 201) throw new Error(`seeding an account: ${account.status} ${await account.text()}`);
    const { id: accountId } = (await account.json()) as { id: string };
    const opportunity = await call('POST', '/api/v1/crm/opportunities', token, { accountId, name: `Renewal ${tenant}`, amount: 1000, stage: 'qualification' });
    if (opportunity.status !== 201) throw new Error(`seeding an opportunity: ${opportunity.status} ${await opportunity.text()}`);
    const { id: opportunityId } = (await opportunity.json()) as { id: string };
    return { accountId, opportunityId };
  };
  return { ...f, tokenFor, call, seedCrm };
}
