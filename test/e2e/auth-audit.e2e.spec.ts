import { randomUUID } from 'node:crypto';
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeModule } from '../helpers/probe.module.js';
import { auditRoutes, concretePath, type AuditedRoute } from '../helpers/route-audit.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';
import { TestIssuer } from '../helpers/test-issuer.js';

// The audit must not trip the per-IP limiter however many routes exist (429 would hide the answer).
const ENV = { RATE_LIMIT_ENABLED: 'false' };

/** A body that looks like a real call, so that nothing but the auth decision can refuse it. */
function probeRequest(route: AuditedRoute): { method: string; headers: Record<string, string>; body?: string } {
  // `@All()`: a method no more specific handler takes, without a body.
  if (route.method === 'ALL') return { method: 'PUT', headers: {} };
  const method = route.method;
  if (method === 'GET' || method === 'HEAD' || method === 'DELETE') return { method, headers: {} };
  if (route.path === '/mcp') {
    // A JSON-RPC call of a contract tool that needs mcp:tools:crm:write.
    return {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'crm_update_opportunity', arguments: {} } }),
    };
  }
  return { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'audit' }) };
}

type OpenApi = { paths?: Record<string, Record<string, OpenApiOperation>> };
type OpenApiOperation = {
  parameters?: { in: string; name: string; schema?: { enum?: string[] } }[];
  requestBody?: { content?: Record<string, { schema?: { oneOf?: { properties?: { method?: { enum?: string[] } } }[] } }> };
};

/**
 * For a route whose scope is per operation (seed RPC twins), the concrete operations its own
 * OpenAPI description lists: path parameter values from their `enum`, bodies `{method, params}`
 * from the request body's `oneOf`. Empty when the document names none.
 */
function documentedOperations(doc: OpenApi, route: AuditedRoute): { path: string; body: string }[] {
  const operation = doc.paths?.[route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
  const methods = (operation?.requestBody?.content?.['application/json']?.schema?.oneOf ?? []).flatMap((schema) => schema.properties?.method?.enum ?? []);
  if (!operation || methods.length === 0) return [];
  let paths = [route.path];
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in !== 'path') continue;
    const values = parameter.schema?.enum ?? [randomUUID()];
    paths = paths.flatMap((path) => values.map((value) => path.replace(`:${parameter.name}`, value)));
  }
  return paths.flatMap((path) => methods.map((method) => ({ path, body: JSON.stringify({ method, params: {} }) })));
}

describe('T30 deny-by-default: every route declares its access, and the declaration holds at run time', () => {
  let issuer: TestIssuer;
  let t: TestApp;
  let dropTenants: () => Promise<void>;
  const tenant = uniqueTenantId('tenant-audit');
  let tokenWithScope: (scope: string) => string;

  beforeAll(async () => {
    issuer = await new TestIssuer().start();
    dropTenants = await createTenants(tenant);
    t = await startTestApp({ ...ENV, AUTH_ISSUER: issuer.url });
    tokenWithScope = (scope) => issuer.mint(t.config.auth.audience, { claims: { org_id: tenant, scope } });
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
    await dropTenants();
  });

  it('when the real app boots, then every route has @RequireScopes, @ScopesCheckedByHandler or an allow-listed @Public()', () => {
    const { routes, findings } = auditRoutes(t.app);
    // The walk found the app's own routes (so an empty result cannot pass silently).
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(['GET /health/live', 'GET /.well-known/oauth-protected-resource', 'GET /.well-known/oauth-protected-resource/mcp']),
    );
    expect(findings, findings.map((finding) => `${finding.route} ${finding.problem}`).join('\n')).toEqual([]);
  });

  it('when each protected route is called without a token, then 401 with a challenge and no error attribute', async () => {
    const protectedRoutes = auditRoutes(t.app).routes.filter((route) => route.policy.kind !== 'public');
    const failures: string[] = [];
    for (const route of protectedRoutes) {
      const request = probeRequest(route);
      const response = await fetch(`${t.baseUrl}${concretePath(route.path, randomUUID())}`, request);
      const challenge = response.headers.get('www-authenticate') ?? '';
      if (response.status !== 401 || !/^Bearer /.test(challenge) || challenge.includes('error=') || !challenge.includes('resource_metadata="')) {
        failures.push(`${route.method} ${route.path}: ${response.status} ${challenge}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('when each protected route is called with a token holding only the unrelated scope openid, then 403 insufficient_scope', async () => {
    const token = tokenWithScope('openid');
    const protectedRoutes = auditRoutes(t.app).routes.filter((route) => route.policy.kind !== 'public');
    const doc = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as OpenApi;
    const failures: string[] = [];
    for (const route of protectedRoutes) {
      const operations = route.policy.kind === 'handler-checked' ? documentedOperations(doc, route) : [];
      if (operations.length > 0) {
        // Every documented operation is refused for this token (never 2xx/5xx), each needing a scope
        // it lacks gets the challenge, and at least one does (else the probe proved nothing).
        let challenged = 0;
        for (const operation of operations) {
          const response = await fetch(`${t.baseUrl}${operation.path}`, {
            method: route.method,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: operation.body,
          });
          const challenge = response.headers.get('www-authenticate') ?? '';
          if (response.status === 403 && challenge.includes('error="insufficient_scope"')) challenged++;
          else if (response.status < 400 || response.status >= 500) failures.push(`${route.method} ${operation.path} ${operation.body}: ${response.status}`);
        }
        if (challenged === 0) failures.push(`${route.method} ${route.path}: no documented operation answered 403 insufficient_scope`);
        continue;
      }
      const request = probeRequest(route);
      const response = await fetch(`${t.baseUrl}${concretePath(route.path, randomUUID())}`, {
        ...request,
        headers: { ...request.headers, authorization: `Bearer ${token}` },
      });
      const challenge = response.headers.get('www-authenticate') ?? '';
      const scoped = response.status === 403 && challenge.includes('error="insufficient_scope"') && /scope="[^"]+"/.test(challenge);
      // A handler-checked route called without a real operation (GET/DELETE /mcp, an RPC route whose
      // document lists none yet) may refuse otherwise (405, 400, 404), but must never serve (2xx) nor
      // fail (5xx) for a token without our scopes. POST /mcp names a real tool: it must be the 403.
      const namesOperation = route.method === 'POST' && route.path === '/mcp';
      const handlerRefused = route.policy.kind === 'handler-checked' && !namesOperation && response.status >= 400 && response.status < 500;
      if (!scoped && !handlerRefused) failures.push(`${route.method} ${route.path}: ${response.status} ${challenge}`);
      if (route.policy.kind === 'scopes' && scoped) {
        for (const scope of route.policy.scopes) expect(challenge).toContain(scope);
      }
    }
    expect(failures).toEqual([]);
  });

  it('when an unrouted path is requested with any method, then 404: no catch-all endpoint answers outside the guards', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await fetch(`${t.baseUrl}/audit-unrouted-${randomUUID()}/x`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
      expect(response.status, method).toBe(404);
    }
  });

  it('when a public route is called without a token, then it answers (no 401): the allow-list is really public', async () => {
    for (const path of ['/health/live', '/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp', '/docs-json']) {
      expect((await fetch(`${t.baseUrl}${path}`)).status, path).toBe(200);
    }
  });
});

// A module that bypasses controllers (and so every guard): its routes go straight onto Fastify.
@Injectable()
class SideDoor implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}
  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    fastify.get('/side-door', async () => ({ open: true }));
    // On the allow-list's own ground: not a finding.
    fastify.get('/.well-known/oauth-authorization-server/side', async () => ({}));
  }
}
@Module({ providers: [SideDoor] })
class SideDoorModule {}

describe('T30 the audit itself: a route registered on Fastify outside any controller is reported', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ENV, [SideDoorModule]);
  });
  afterAll(() => t.close());

  it('when a module adds a route to Fastify directly, then the audit names it (no guard runs on it), and only it', async () => {
    expect((await fetch(`${t.baseUrl}/side-door`)).status).toBe(200);
    const { findings } = auditRoutes(t.app);
    expect(findings).toEqual([
      { route: 'GET /side-door (fastify)', problem: 'is registered on Fastify outside any controller (no guard runs) and not on the public allow-list' },
      { route: 'HEAD /side-door (fastify)', problem: 'is registered on Fastify outside any controller (no guard runs) and not on the public allow-list' },
    ]);
  });
});

describe('T30 the audit itself: a route without a declaration is reported and refused', () => {
  let issuer: TestIssuer;
  let t: TestApp;
  let dropTenants: () => Promise<void>;
  const tenant = uniqueTenantId('tenant-audit');

  beforeAll(async () => {
    issuer = await new TestIssuer().start();
    dropTenants = await createTenants(tenant);
    t = await startTestApp({ ...ENV, AUTH_ISSUER: issuer.url }, [ProbeModule]);
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
    await dropTenants();
  });

  it('when the probe module is mounted, then the audit names its undeclared route and its public route outside the allow-list, and nothing else', () => {
    const { findings } = auditRoutes(t.app);
    expect(findings).toHaveLength(2);
    expect(findings).toEqual(
      expect.arrayContaining([
        { route: 'GET /probe/undeclared (ProbeController.undeclared)', problem: 'declares neither @RequireScopes, @ScopesCheckedByHandler nor @Public()' },
        // /probe/public is @Public() but is neither discovery, health, docs nor the OAuth server.
        { route: 'GET /probe/public (ProbeController.open)', problem: 'is @Public() but not on the public allow-list' },
      ]),
    );
  });

  it('when the undeclared route is called, then 401 without a token and 403 with any valid token, even one with every scope', async () => {
    expect((await fetch(`${t.baseUrl}/probe/undeclared`)).status).toBe(401);
    const token = issuer.mint(t.config.auth.audience, { claims: { org_id: tenant, scope: 'mcp:* openid' } });
    const response = await fetch(`${t.baseUrl}/probe/undeclared`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'forbidden' });
  });
});

describe('T30 embedded mode: the authorization server’s own routes are public and allow-listed, the rest declared', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ENV);
  });
  afterAll(() => t.close());

  it('when AUTH_ISSUER is unset (embedded issuer), then the static audit has no findings either', () => {
    const { findings } = auditRoutes(t.app);
    expect(findings, findings.map((finding) => `${finding.route} ${finding.problem}`).join('\n')).toEqual([]);
  });
});
