import { Controller, Get, Module, Param } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Public } from '../../src/auth/public.decorator.js';
import { ObservabilityModule } from '../../src/observability/observability.module.js';
import { postMcp } from '../helpers/mcp-client.js';
import { ProbeModule } from '../helpers/probe.module.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';
import { TestIssuer } from '../helpers/test-issuer.js';

@Controller('metrics-probe')
class TemplateProbeController {
  @Get('items/:id')
  @Public()
  item(@Param('id') id: string) {
    return { id };
  }
}

@Module({ controllers: [TemplateProbeController] })
class TemplateProbeModule {}

describe('Prometheus metrics on their own port', () => {
  const issuer = new TestIssuer();
  const tenant = uniqueTenantId('metrics');
  let dropTenants: () => Promise<void>;
  let t: TestApp;
  let metricsUrl: string;
  let token: string;

  beforeAll(async () => {
    await issuer.start();
    dropTenants = await createTenants(tenant);
    t = await startTestApp({ AUTH_ISSUER: issuer.url, METRICS_PORT: '0' }, [ProbeModule, TemplateProbeModule]);
    metricsUrl = `http://127.0.0.1:${t.app.get(ObservabilityModule).metricsPort}/metrics`;
    token = issuer.mint(t.config.auth.audience, { claims: { org_id: tenant } });
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
    await dropTenants();
  });

  const scrape = async () => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };

  it('when routes are called, then latency is recorded by route template and status, never by raw path', async () => {
    for (const id of ['a1', 'b2', 'c3']) expect((await fetch(`${t.baseUrl}/metrics-probe/items/${id}`)).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/probe/sales`)).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/no/such/path/x9y8`)).status).toBe(404);
    const text = await scrape();
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/metrics-probe\/items\/:id",status="200"\} 3/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/probe\/sales",status="200"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/probe\/sales",status="401"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="<unmatched>",status="404"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.05",method="GET",route="\/probe\/sales",status="200"\} \d/);
    expect(text).not.toContain('a1');
    expect(text).not.toContain('x9y8');
  });

  it('when real requests fail auth, call tools (allowed and refused) and keys are fetched, then each is counted by reason or outcome', async () => {
    const count = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}()]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    const before = await scrape();
    expect((await fetch(`${t.baseUrl}/probe/sales`)).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/probe/sales`, { headers: { authorization: 'Bearer not.a.jwt' } })).status).toBe(401);
    const expired = issuer.mint(t.config.auth.audience, { claims: { org_id: tenant, iat: 1_000, nbf: 1_000, exp: 2_000 } });
    expect((await fetch(`${t.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
    const crmOnly = issuer.mint(t.config.auth.audience, { claims: { org_id: tenant, scope: 'mcp:tools:crm:read' } });
    expect((await fetch(`${t.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${crmOnly}` } })).status).toBe(403);
    const call = (id: number, name: string, args: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
    expect((await postMcp(t.baseUrl, call(1, 'sales_get_win_rates', {}), token)).status).toBe(200);
    expect((await postMcp(t.baseUrl, call(2, 'sales_get_win_rates', {}), crmOnly)).status).toBe(403);
    // Names no tool has are one series, not one per name a client makes up.
    for (const [id, name] of [[3, 'no_such_tool_1'], [4, 'no_such_tool_2']] as const) expect((await postMcp(t.baseUrl, call(id, name, {}), token)).status).toBe(200);
    const after = await scrape();
    const delta = (series: string) => count(after, series) - count(before, series);
    expect(delta('auth_failures_total{reason="missing_token"}')).toBe(1);
    expect(delta('auth_failures_total{reason="invalid_token"}')).toBe(1);
    expect(delta('auth_failures_total{reason="expired"}')).toBe(1);
    expect(delta('auth_failures_total{reason="insufficient_scope"}')).toBe(2);
    expect(delta('mcp_tool_call_duration_seconds_count{tool="sales_get_win_rates",outcome="ok"}')).toBe(1);
    expect(delta('mcp_tool_call_duration_seconds_count{tool="sales_get_win_rates",outcome="denied"}')).toBe(1);
    expect(delta('mcp_tool_call_duration_seconds_count{tool="(unknown)",outcome="rejected"}')).toBe(2);
    expect(after).not.toContain('no_such_tool');
    // The key set was fetched (at least) once, at the first authenticated request.
    expect(count(after, 'jwks_fetches_total{outcome="ok"}')).toBeGreaterThanOrEqual(1);
  });

  it('when scraped, then the database pool, the outbox and the process are reported', async () => {
    const text = await scrape();
    expect(text).toMatch(/db_pool_connections\{state="total"\} \d+/);
    expect(text).toMatch(/db_pool_connections\{state="idle"\} \d+/);
    expect(text).toMatch(/db_pool_connections\{state="waiting"\} 0/);
    expect(text).toMatch(/db_pool_max 10/);
    expect(text).toMatch(/notification_outbox_depth \d+/);
    expect(text).toMatch(/notification_outbox_oldest_due_seconds [\d.e+-]+/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
    expect(text).toMatch(/nodejs_eventloop_lag_p99_seconds [\d.e+-]+/);
  });

  it('when /metrics is asked of the API port, with or without a tenant token, then it is 404 (T35)', async () => {
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('when anything but GET /metrics is asked of the metrics port, then 404', async () => {
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(404);
  });
});

describe('metrics when METRICS_PORT is unset', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('when the app starts without METRICS_PORT, then no metrics listener is opened', () => {
    expect(t.app.get(ObservabilityModule).metricsPort).toBeUndefined();
  });
});
