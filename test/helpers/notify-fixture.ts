import type { DataSource } from 'typeorm';
import { Scope } from '../../src/auth/scope.js';
import { createDataSource } from '../../src/database/data-source.js';
import { type AuthFixture, startAuthFixture } from './auth-fixture.js';
import { testDatabaseUrl } from './test-app.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Granted scopes (default: send and manage). */
  scopes?: string[];
  tenant?: string;
  headers?: Record<string, string>;
}

export interface NotifyFixture {
  auth: AuthFixture;
  baseUrl: string;
  tenantA: string;
  tenantB: string;
  /** The database as its owner (not subject to RLS): for counting rows and planting fixtures. */
  owner: DataSource;
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  /** Creates a destination in tenant A (or `tenant`), failing the test on anything but 201. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createDestination(body: Record<string, unknown>, tenant?: string): Promise<any>;
  /** Polls GET /notifications/:id until its status is one of `statuses`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  waitForStatus(id: string, statuses: string[], timeoutMs?: number, tenant?: string): Promise<any>;
  close(): Promise<void>;
}

export const ALL_NOTIFY_SCOPES = [Scope.NotificationsSend, Scope.NotificationsManage];

/** Worker on, receivers on 127.0.0.1 allow-listed for local use, short backoff, at most 3 attempts. */
export const DELIVERY_ENV: Record<string, string> = {
  NOTIFY_WORKER_ENABLED: 'true',
  NOTIFY_ALLOW_LOCAL_HOSTS: '127.0.0.1',
  NOTIFY_POLL_INTERVAL_MS: '50',
  NOTIFY_MAX_ATTEMPTS: '3',
  NOTIFY_RETRY_BASE_MS: '50',
  NOTIFY_RETRY_MAX_MS: '200',
  NOTIFY_DELIVERY_TIMEOUT_MS: '10000',
  NOTIFY_LEASE_SECONDS: '15',
  NOTIFY_RATE_LIMIT: '1000',
};

/** The app with the notifications module, a real issuer, two fresh tenants and an owner connection. */
export async function startNotifyFixture(env: Record<string, string>): Promise<NotifyFixture> {
  const auth = await startAuthFixture(env);
  const owner = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 2 });
  await owner.initialize();
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> => {
    const token = auth.token({ claims: { org_id: options.tenant ?? auth.tenantA, scope: (options.scopes ?? ALL_NOTIFY_SCOPES).join(' ') } });
    const response = await fetch(`${auth.t.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    auth,
    baseUrl: auth.t.baseUrl,
    tenantA: auth.tenantA,
    tenantB: auth.tenantB,
    owner,
    call,
    async createDestination(body, tenant) {
      const response = await call('POST', '/notifications/destinations', { body, tenant });
      if (response.status !== 201) throw new Error(`destination not created: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async waitForStatus(id, statuses, timeoutMs = 20_000, tenant) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await call('GET', `/notifications/${id}`, { tenant });
        if (statuses.includes(response.body?.status)) return response.body;
        if (Date.now() > deadline) throw new Error(`notification ${id} still ${JSON.stringify(response.body)} after ${timeoutMs} ms`);
        await new Promise((done) => setTimeout(done, 100));
      }
    },
    async close() {
      await owner.destroy();
      await auth.close();
    },
  };
}
