import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { TenantDb } from '../../src/database/tenant-db.js';
import { startTestApp, testDatabaseUrl, type TestApp } from './test-app.js';
import { createTenants, uniqueTenantId } from './tenants.js';
import { TestIssuer } from './test-issuer.js';

export const READ = 'mcp:tools:crm:read';
export const WRITE = 'mcp:tools:crm:read mcp:tools:crm:write';

export interface CrmFixture {
  t: TestApp;
  issuer: TestIssuer;
  tenantA: string;
  tenantB: string;
  /** A token for a tenant with the given scopes (default read+write). */
  token(tenant: string, scope?: string, claims?: Record<string, unknown>): string;
  /** fetch against the app with a bearer token; `body` objects are sent as JSON. */
  call(method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Owner connection (bypasses nothing: superuser) for fixtures and "nothing written" snapshots. */
  admin: DataSource;
  /** TenantDb over an app-role connection, for service-level checks. */
  tenantDb: TenantDb;
  close(): Promise<void>;
}

/** The real app trusting a real test issuer, with two fresh tenants; everything is removed on close. */
export async function startCrmFixture(env: Record<string, string> = {}): Promise<CrmFixture> {
  const issuer = await new TestIssuer().start();
  const tenantA = uniqueTenantId('crm-a');
  const tenantB = uniqueTenantId('crm-b');
  const dropTenants = await createTenants(tenantA, tenantB);
  const t = await startTestApp({ AUTH_ISSUER: issuer.url, ...env });
  const admin = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 2 });
  await admin.initialize();
  const appRole = createDataSource({ url: testDatabaseUrl(), asAppRole: true, poolSize: 2 });
  await appRole.initialize();
  return {
    t,
    issuer,
    tenantA,
    tenantB,
    admin,
    tenantDb: new TenantDb(appRole),
    token: (tenant, scope = WRITE, claims = {}) =>
      issuer.mint(t.config.auth.audience, { claims: { org_id: tenant, scope, sub: `user-of-${tenant}`, ...claims } }),
    call: (method, path, token, body, headers = {}) =>
      fetch(`${t.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: async () => {
      await t.close();
      await issuer.stop();
      await appRole.destroy();
      await admin.destroy();
      await dropTenants();
    },
  };
}

/** A fingerprint of every CRM row of a tenant: equal before and after ⇒ nothing was written. */
export async function tenantSnapshot(admin: DataSource, tenantId: string): Promise<Record<string, string>> {
  const tables = ['accounts', 'contacts', 'opportunities', 'opportunity_stage_history', 'activities', 'idempotency_keys'];
  const snapshot: Record<string, string> = {};
  for (const table of tables) {
    const [row] = await admin.query(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM ${table} t WHERE tenant_id = $1`,
      [tenantId],
    );
    snapshot[table] = `${row.n}:${row.h}`;
  }
  return snapshot;
}
