import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../../src/observability/metrics.service.js';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';

// Each test speaks from its own client addresses (X-Forwarded-For is trusted from loopback), so the
// per-IP budgets of one test never leak into the next.
let lastAddress = 0;
const address = () => `198.51.100.${++lastAddress}`;

describe('rate limits (memory store)', () => {
  let f: AuthFixture;
  beforeAll(async () => {
    f = await startAuthFixture({
      RATE_LIMIT_PER_CLIENT_PER_MINUTE: '5',
      RATE_LIMIT_PER_TENANT_PER_MINUTE: '8',
      RATE_LIMIT_PER_IP_PER_MINUTE: '3',
      RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '4',
    });
  });
  afterAll(() => f.close());

  const call = (token: string, ip = address()) => f.get('/probe/sales', token, { 'x-forwarded-for': ip });

  it('when a client exceeds its budget, then 429 rate_limited with Retry-After, while its tenant and other tenants still pass', async () => {
    const ip = address();
    const first = f.token({ claims: { client_id: 'rl-client-1' } });
    // More requests than the per-IP budget (3) pass: the guard runs after authentication and counts the client, not the address.
    for (let index = 0; index < 5; index++) expect((await call(first, ip)).status).toBe(200);
    const refused = await call(first, ip);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(await json(refused)).toMatchObject({ error: 'rate_limited', limit: 'client', retryAfterSeconds: retryAfter });

    // A second client of the same tenant has its own budget, up to the tenant's (8 = 5 + 3).
    const second = f.token({ claims: { client_id: 'rl-client-2' } });
    for (let index = 0; index < 3; index++) expect((await call(second)).status).toBe(200);
    const tenantFull = await call(second);
    expect(tenantFull.status).toBe(429);
    expect(await json(tenantFull)).toMatchObject({ error: 'rate_limited', limit: 'tenant' });

    // The other tenant is untouched.
    const other = f.token({ claims: { client_id: 'rl-client-1', org_id: f.tenantB } });
    expect((await call(other)).status).toBe(200);
  });

  it('when a request has no valid token, then it is refused 401 before the limiter and spends no client budget', async () => {
    const token = f.token({ claims: { client_id: 'rl-client-401', org_id: f.tenantB } });
    const ip = address();
    for (let index = 0; index < 3; index++) expect((await f.get('/probe/sales', undefined, { 'x-forwarded-for': ip })).status).toBe(401);
    expect((await call(token)).status).toBe(200);
  });

  it('when a public route is called too often from one address, then 429 for that address only; /health is never limited', async () => {
    const ip = address();
    const discovery = (from: string) => f.get('/.well-known/oauth-protected-resource', undefined, { 'x-forwarded-for': from });
    for (let index = 0; index < 3; index++) expect((await discovery(ip)).status).toBe(200);
    const refused = await discovery(ip);
    expect(refused.status).toBe(429);
    expect(await json(refused)).toMatchObject({ error: 'rate_limited', limit: 'ip' });
    expect((await discovery(address())).status).toBe(200);
    for (let index = 0; index < 10; index++) {
      expect((await f.get('/health/live', undefined, { 'x-forwarded-for': ip })).status).toBe(200);
    }
  });

  it('when one address floods invalid tokens, then past its auth-failure budget it gets 429 even with a good token; others are unaffected', async () => {
    const ip = address();
    const forged = `${f.token().slice(0, -6)}AAAAAA`;
    for (let index = 0; index < 4; index++) expect((await call(forged, ip)).status).toBe(401);
    const blocked = await call(f.token({ claims: { client_id: 'rl-flood', org_id: f.tenantB } }), ip);
    expect(blocked.status).toBe(429);
    expect(await json(blocked)).toMatchObject({ error: 'rate_limited', limit: 'auth_failures' });
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call(f.token({ claims: { client_id: 'rl-flood-2', org_id: f.tenantB } }))).status).toBe(200);
  });

  it('when an MCP client exceeds its budget, then /mcp answers 429 rate_limited with Retry-After too', async () => {
    const token = f.token({ claims: { client_id: 'rl-mcp-client', org_id: f.tenantB } });
    const listTools = () =>
      fetch(`${f.t.baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          'x-forwarded-for': address(),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
    for (let index = 0; index < 5; index++) {
      const response = await listTools();
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const refused = await listTools();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await json(refused)).toMatchObject({ error: 'rate_limited', limit: 'client' });
  });

  it('when requests are refused, then rate_limited_total counts them by limit', async () => {
    const text = await f.t.app.get(MetricsService).scrape();
    expect(text).toMatch(/rate_limited_total\{limit="client"\} [1-9]/);
    expect(text).toMatch(/rate_limited_total\{limit="tenant"\} [1-9]/);
    expect(text).toMatch(/rate_limited_total\{limit="ip"\} [1-9]/);
  });
});

describe('rate limits when disabled', () => {
  let f: AuthFixture;
  beforeAll(async () => {
    f = await startAuthFixture({ RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_PER_CLIENT_PER_MINUTE: '1' });
  });
  afterAll(() => f.close());

  it('when RATE_LIMIT_ENABLED=false, then no request is refused 429', async () => {
    const token = f.token();
    for (let index = 0; index < 5; index++) expect((await f.get('/probe/sales', token)).status).toBe(200);
  });
});
