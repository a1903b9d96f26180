import { Scope } from '../auth/scope.js';

/** Client metadata (not registrable) naming the tenant a client-credentials client acts for. */
export const CLIENT_TENANT_METADATA = 'tenant_id';
/** The public client Swagger UI uses for the authorization code flow (PKCE, no secret). */
export const SWAGGER_UI_CLIENT_ID = 'swagger-ui';

export interface DemoTenant {
  id: string;
  name: string;
}

export interface DemoClient {
  clientId: string;
  tenantId: string;
  scopes: readonly Scope[];
  description: string;
}

/** A person of a demo tenant, picked on the login page (there are no passwords to check). */
export interface DemoUser {
  id: string;
  tenantId: string;
  name: string;
  role: string;
}

export const DEMO_TENANTS: readonly DemoTenant[] = [
  { id: 'acme', name: 'Acme Corp' },
  { id: 'globex', name: 'Globex Inc' },
];

const ANALYST_SCOPES = [Scope.SalesDataRead, Scope.CrmRead, Scope.CustomerInsightsRead] as const;

/** CONTRACT.md, "Embedded demo clients": client credentials, one tenant each. */
export const DEMO_CLIENTS: readonly DemoClient[] = [
  { clientId: 'acme-analyst', tenantId: 'acme', scopes: ANALYST_SCOPES, description: 'Acme analyst: sales data, CRM and insights, read-only' },
  {
    clientId: 'acme-ops',
    tenantId: 'acme',
    scopes: [Scope.CrmRead, Scope.CrmWrite, Scope.NotificationsSend],
    description: 'Acme operations: CRM read/write, send notifications',
  },
  { clientId: 'globex-analyst', tenantId: 'globex', scopes: ANALYST_SCOPES, description: 'Globex analyst: same as acme-analyst' },
];

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'alice@acme', tenantId: 'acme', name: 'Alice Martin', role: 'Sales analyst' },
  { id: 'oscar@acme', tenantId: 'acme', name: 'Oscar Reyes', role: 'Sales operations' },
  { id: 'gina@globex', tenantId: 'globex', name: 'Gina Walsh', role: 'Sales analyst' },
];

export function demoClient(clientId: string): DemoClient | undefined {
  return DEMO_CLIENTS.find((client) => client.clientId === clientId);
}

export function demoUser(id: string): DemoUser | undefined {
  return DEMO_USERS.find((user) => user.id === id);
}

export function demoTenantName(id: string): string {
  return DEMO_TENANTS.find((tenant) => tenant.id === id)?.name ?? id;
}
