import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { spawnApp, waitForOk, type AppProcess } from '../helpers/app-process.js';
import { testDatabaseUrl } from '../helpers/test-app.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';
import { TestIssuer } from '../helpers/test-issuer.js';

interface ExportedSpan {
  scope: string;
  name: string;
  traceId: string;
}

/** A minimal OTLP/HTTP (JSON) trace collector on loopback. */
async function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; stop(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { scope: { name: string }; spans: { name: string; traceId: string }[] }[] }[];
        };
        for (const resource of payload.resourceSpans) {
          for (const scoped of resource.scopeSpans) {
            for (const span of scoped.spans) spans.push({ scope: scoped.scope.name, name: span.name, traceId: span.traceId });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, spans, stop: () => new Promise((done) => server.close(() => done())) };
}

describe('OpenTelemetry traces when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  const issuer = new TestIssuer();
  const tenant = uniqueTenantId('otel');
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let dropTenants: () => Promise<void>;
  let app: AppProcess;
  let base: string;

  beforeAll(async () => {
    await issuer.start();
    collector = await startCollector();
    dropTenants = await createTenants(tenant);
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    app = spawnApp({
      PORT: String(port),
      PUBLIC_URL: base,
      DATABASE_URL: testDatabaseUrl(),
      AUTH_ISSUER: issuer.url,
      NOTIFY_WORKER_ENABLED: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'sales-analytics-test',
      // Export promptly (the SDK's standard variable).
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    await waitForOk(`${base}/health/ready`, 60_000, app);
  }, 90_000);

  afterAll(async () => {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
    await collector.stop();
    await issuer.stop();
    await dropTenants();
  });

  it('when a request reads the database, then one trace holds its HTTP, Fastify and pg spans, flushed by SIGTERM', async () => {
    const token = issuer.mint(base, { claims: { org_id: tenant, scope: 'mcp:tools:crm:read' } });
    const response = await fetch(`${base}/api/v1/crm/accounts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    app.child.kill('SIGTERM');
    expect(await app.exited, app.output()).toBe(0);

    const server = collector.spans.find((span) => span.scope.includes('instrumentation-http') && span.name.startsWith('GET'));
    expect(server, JSON.stringify(collector.spans.slice(0, 20))).toBeDefined();
    const trace = collector.spans.filter((span) => span.traceId === server!.traceId);
    expect(trace.some((span) => span.scope === '@fastify/otel')).toBe(true);
    expect(trace.some((span) => span.scope.includes('instrumentation-pg'))).toBe(true);
    // Health probes are not traced.
    expect(collector.spans.some((span) => span.name.includes('/health'))).toBe(false);
  });
});
