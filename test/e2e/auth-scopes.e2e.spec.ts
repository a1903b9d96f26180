import { Body, Controller, Injectable, Module, Post } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../../src/auth/current-principal.decorator.js';
import { pathOf } from '../../src/common/http/fastify-request.js';
import { RequestHook, type RequestHookHandler } from '../../src/common/http/request-hook.js';
import type { Principal } from '../../src/auth/principal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequireScopes } from '../../src/auth/require-scopes.decorator.js';
import { Scope } from '../../src/auth/scope.js';
import { createDataSource } from '../../src/database/data-source.js';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { spawnApp, waitForOk } from '../helpers/app-process.js';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';
import { rawRequest } from '../helpers/raw-http.js';
import { testDatabaseUrl } from '../helpers/test-app.js';
import { base64url, signRaw, TestIssuer } from '../helpers/test-issuer.js';

const PRM_SUFFIX = '/.well-known/oauth-protected-resource';
const READ = 'mcp:tools:sales-data:read mcp:tools:crm:read';

// A write route that records every time its handler runs: "nothing written" means it never ran.
const handled: unknown[] = [];
@Controller('scope-probe')
class WriteProbeController {
  @Post('write')
  @RequireScopes(Scope.CrmWrite)
  write(@Body() body: unknown) {
    handled.push(body);
    return { ok: true };
  }
}
// What a request hook that reads the request when it finishes (the audit trail's, for one) sees as its principal.
const finishedWith: { path: string; principal: Principal | undefined }[] = [];
@RequestHook()
@Injectable()
class PrincipalSpy implements RequestHookHandler {
  onRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (!pathOf(request).startsWith('/scope-probe/')) return;
    reply.raw.once('finish', () => finishedWith.push({ path: pathOf(request), principal: principalOf(request) }));
  }
}

@Module({ controllers: [WriteProbeController], providers: [PrincipalSpy] })
class WriteProbeModule {}

async function waitFor(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 50 && !check(); attempt++) await new Promise((done) => setTimeout(done, 20));
}

async function tenantRows(id: string): Promise<number> {
  const dataSource = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
  await dataSource.initialize();
  try {
    const rows: { count: string }[] = await dataSource.query('SELECT count(*) FROM tenants WHERE id = $1', [id]);
    return Number(rows[0].count);
  } finally {
    await dataSource.destroy();
  }
}

describe('resource server: scopes and where tokens come from (catalog T11–T13, T22, T26–T29, T31, T59, T60)', () => {
  let f: AuthFixture;
  let prm: string;
  beforeAll(async () => {
    f = await startAuthFixture({}, [WriteProbeModule]);
    prm = `${f.t.config.publicUrl}${PRM_SUFFIX}`;
  });
  afterAll(() => f.close());

  const post = (path: string, token: string | undefined, body: unknown = { name: 'x' }, headers: Record<string, string> = {}) =>
    fetch(`${f.t.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify(body),
    });
  const withScope = (scope: string) => f.token({ claims: { scope } });

  async function expectNoCredentials(response: Response, scope: string) {
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer scope="${scope}", resource_metadata="${prm}"`);
    expect(await json(response)).toEqual({ error: 'unauthorized', error_description: 'Bearer token required' });
  }

  async function expectInsufficientScope(response: Response, scope = Scope.CrmWrite) {
    expect(response.status).toBe(403);
    const description = `The token lacks the scope ${scope}`;
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="${description}", scope="${scope}", resource_metadata="${prm}"`,
    );
    expect(await json(response)).toEqual({ error: 'insufficient_scope', error_description: description, required_scope: scope });
  }

  describe('T27 insufficient scope', () => {
    it('when a read-only token calls a write route, then 403 with the exact insufficient_scope challenge, and the handler never runs', async () => {
      const before = handled.length;
      await expectInsufficientScope(await post('/probe/crm', f.token()));
      await expectInsufficientScope(await post('/scope-probe/write', f.token(), { name: 'pwned' }));
      expect(handled.length).toBe(before);
    });

    it('when a resources-only token calls a tool route, then 403 naming the tool scope', async () => {
      await expectInsufficientScope(await f.get('/probe/crm', withScope('mcp:resources:*')), Scope.CrmRead);
    });

    it('when the token holds the write scope, then the same request succeeds (positive control)', async () => {
      const before = handled.length;
      const response = await post('/scope-probe/write', withScope(Scope.CrmWrite), { name: 'ok' });
      expect(response.status).toBe(201);
      expect(handled.length).toBe(before + 1);
    });
  });

  describe('T28 exact, case-sensitive, space-delimited matching', () => {
    it('when scope is a near miss (suffix, case, comma, tab, glued), then write is denied', async () => {
      for (const scope of [
        'mcp:tools:crm:writer',
        'MCP:TOOLS:CRM:WRITE',
        'mcp:tools:crm:read,mcp:tools:crm:write',
        'mcp:tools:crm:readmcp:tools:crm:write',
        'mcp:tools:crm:read\tmcp:tools:crm:write',
        'mcp:tools:crm:write\n',
      ]) {
        await expectInsufficientScope(await post('/scope-probe/write', withScope(scope)));
      }
    });

    it('when scope is the parent mcp:tools:crm, then it grants mcp:tools:crm:write (CONTRACT.md: parent grants child)', async () => {
      expect((await post('/scope-probe/write', withScope('mcp:tools:crm'))).status).toBe(201);
    });

    it('when scope has leading, trailing or doubled spaces, then they are tolerated as separators (documented policy)', async () => {
      for (const scope of [' mcp:tools:crm:write ', 'mcp:tools:crm:read  mcp:tools:crm:write']) {
        expect((await post('/scope-probe/write', withScope(scope))).status, JSON.stringify(scope)).toBe(201);
      }
    });
  });

  describe('T29 wildcards are the server’s, never patterns from the token', () => {
    it('when scope is prefix:* covering the need, then it grants; bare *, inner * and foreign prefixes grant nothing', async () => {
      for (const scope of ['mcp:tools:*', 'mcp:*', 'mcp:tools:crm:*']) {
        expect((await post('/scope-probe/write', withScope(scope))).status, scope).toBe(201);
      }
      for (const scope of ['*', 'mcp:resources:*:write', 'mcp:resources:*', 'mcp:tools:crm:w*', '.*']) {
        await expectInsufficientScope(await post('/scope-probe/write', withScope(scope)));
      }
    });

    it('when the token holds mcp:resources:*, then a resource route passes and a tool route does not', async () => {
      expect((await f.get('/probe/insights', withScope('mcp:resources:*'))).status).toBe(200);
      await expectInsufficientScope(await f.get('/probe/crm', withScope('mcp:resources:*')), Scope.CrmRead);
    });
  });

  describe('T31 scope claim source', () => {
    it('when scope says read and scp says write, then only scope counts: write is denied (no union)', async () => {
      await expectInsufficientScope(await post('/scope-probe/write', f.token({ claims: { scope: Scope.CrmRead, scp: [Scope.CrmWrite] } })));
    });

    it('when only scp is present, then it is the scope source (CONTRACT.md: scope or scp)', async () => {
      expect((await post('/scope-probe/write', f.token({ claims: { scope: undefined, scp: [Scope.CrmWrite] } }))).status).toBe(201);
    });

    it('when write appears only in permissions or roles, then it is ignored', async () => {
      const token = f.token({ claims: { scope: Scope.CrmRead, permissions: ['crm:write', Scope.CrmWrite], roles: ['admin'] } });
      await expectInsufficientScope(await post('/scope-probe/write', token));
    });
  });

  describe('T26 identity comes only from the verified token', () => {
    const spoofed = {
      'x-user-id': 'user-b1',
      'x-org-id': 'tenant-B',
      'x-tenant-id': 'tenant-B',
      'x-scopes': Scope.CrmWrite,
      'x-forwarded-user': 'admin',
      'x-authenticated-userid': 'admin',
    };

    it('when identity headers are added to a read token, then the principal is still the token’s and write is denied', async () => {
      const response = await f.get('/probe/crm', f.token(), spoofed);
      expect(response.status).toBe(200);
      expect((await json(response)).principal).toMatchObject({ subject: 'user-a1', tenantId: f.tenantA, scopes: READ.split(' ') });
      await expectInsufficientScope(await post('/scope-probe/write', f.token(), { name: 'x' }, spoofed));
    });

    it('when identity headers come without any token, then it is still unauthenticated', async () => {
      await expectNoCredentials(await f.get('/probe/crm', undefined, spoofed), Scope.CrmRead);
    });
  });

  describe('T59 tokens outside the Authorization header', () => {
    it('when the token is in the query string, a form body, a JSON body or a cookie, then 401 without error (treated as absent)', async () => {
      const token = withScope(Scope.CrmWrite);
      await expectNoCredentials(await f.get(`/probe/crm?access_token=${token}`), Scope.CrmRead);
      await expectNoCredentials(await f.get(`/probe/crm?token=${token}`), Scope.CrmRead);
      await expectNoCredentials(await f.get('/probe/crm', undefined, { cookie: `access_token=${token}` }), Scope.CrmRead);
      await expectNoCredentials(await post('/scope-probe/write', undefined, { access_token: token }), Scope.CrmWrite);
      const form = await fetch(`${f.t.baseUrl}/scope-probe/write`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `access_token=${token}`,
      });
      await expectNoCredentials(form, Scope.CrmWrite);
    });

    it('when the header carries a token and the query or body carries one too, then 400 invalid_request (one method only)', async () => {
      const token = f.token();
      for (const response of [await f.get(`/probe/crm?access_token=${token}`, token), await post('/probe/crm', token, { access_token: token })]) {
        expect(response.status).toBe(400);
        expect(response.headers.get('www-authenticate')).toBe(
          `Bearer error="invalid_request", error_description="Token sent by more than one method", resource_metadata="${prm}"`,
        );
        expect(await json(response)).toMatchObject({ error: 'invalid_request' });
      }
    });
  });

  describe('T60 Authorization header parsing', () => {
    const call = (authorization: string | string[]) => rawRequest(`${f.t.baseUrl}/probe/crm`, { headers: { authorization } });

    it('when the scheme is bearer in any case, then the token is accepted', async () => {
      const token = f.token();
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) expect((await call(`${scheme} ${token}`)).status, scheme).toBe(200);
    });

    it('when the header is malformed or repeated, then 400 invalid_request with the challenge (never 5xx)', async () => {
      const token = f.token();
      const other = f.token({ claims: { sub: 'user-b1' } });
      for (const authorization of [
        `Bearer  ${token}`,
        `Bearer ${token} extra`,
        `Bearer ${token},Bearer ${other}`,
        'Bearer',
        'Bearer ',
        [`Bearer ${token}`, `Bearer ${other}`],
        [`Bearer ${token}`, `Bearer ${token}`],
        [`Bearer ${token}`, 'Basic dXNlcjpwYXNz'],
      ]) {
        const response = await call(authorization);
        expect(response.status, String(authorization).slice(0, 40)).toBe(400);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request", error_description="[^"]+", resource_metadata="[^"]+"$/);
        expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
      }
    });

    it('when another scheme is used (Basic, Token, Digest), then 401 without error, as if no token came', async () => {
      for (const authorization of ['Basic dXNlcjpwYXNz', `Token ${f.token()}`, 'Digest username="a"']) {
        const response = await call(authorization);
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe(`Bearer scope="${Scope.CrmRead}", resource_metadata="${prm}"`);
      }
    });
  });

  describe('T57/T59/T60 at the MCP endpoint alike (same guard, its own metadata URL)', () => {
    const mcp = (authorization?: string | string[], query = '') =>
      rawRequest(`${f.t.baseUrl}/mcp${query}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });

    it('when POST /mcp has no token, or only one in the query string, then 401 without error naming the /mcp metadata', async () => {
      for (const response of [await mcp(), await mcp(undefined, `?access_token=${f.token()}`)]) {
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer (scope="[^"]*", )?resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"$/);
      }
    });

    it('when POST /mcp has a malformed or repeated Authorization header, then 400 invalid_request as on the REST routes', async () => {
      const token = f.token();
      for (const authorization of [`Bearer  ${token}`, `Bearer ${token} extra`, 'Bearer', [`Bearer ${token}`, `Bearer ${token}`]]) {
        const response = await mcp(authorization);
        expect(response.status).toBe(400);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request", .*resource_metadata="[^"]+\/mcp"$/);
      }
    });

    it('when POST /mcp has a forged token, then 401 invalid_token (an HTTP status, not a JSON-RPC error in a 200)', async () => {
      const response = await mcp(`Bearer ${f.token({ header: { kid: 'k1' }, signWith: 'kA-rsa' })}`);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    });
  });

  describe('T12 oversized tokens and headers', () => {
    it('when a valid token is padded to 8 KB or 15 KB, or carries 500 claims, then it is judged by content (200)', async () => {
      for (const size of [8 * 1024, 15 * 1024]) {
        const token = tokenOfLength(size);
        expect(token.length).toBeGreaterThan(size - 8);
        expect((await call(token)).status, `${size}`).toBe(200);
      }
      const many = Object.fromEntries(Array.from({ length: 500 }, (_, index) => [`c${index}`, index]));
      expect((await call(f.token({ claims: many }))).status).toBe(200);
    });

    it('when the headers exceed 16 KiB (17 KB token, 1 MB token), then Node answers 431 (or drops the connection) before any JWT work, never 5xx', async () => {
      const response17k = await call(tokenOfLength(17 * 1024));
      expect(response17k.status).toBe(431);
      const outcome = await call(f.token({ claims: { pad: 'x'.repeat(1024 * 1024) } })).then(
        (response) => response.status,
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect([431, 'ECONNRESET', 'EPIPE']).toContain(outcome);
      expect((await f.get('/health/live')).status).toBe(200);
    });

    it('when Authorization is repeated 100 times, then 400 (or 431 when that exceeds the header limit), never 5xx', async () => {
      const response = await rawRequest(`${f.t.baseUrl}/probe/crm`, { headers: { authorization: Array(100).fill('Bearer abc') } });
      expect(response.status).toBe(400);
    });

    /** A validly signed token of about `length` characters (the claim padding grows by 4/3 in base64url). */
    function tokenOfLength(length: number): string {
      const overhead = f.token({ claims: { pad: '' } }).length;
      const token = f.token({ claims: { pad: 'x'.repeat(Math.floor(((length - overhead) * 3) / 4)) } });
      expect(Math.abs(token.length - length)).toBeLessThan(8);
      return token;
    }

    async function call(token: string) {
      return rawRequest(`${f.t.baseUrl}/probe/crm`, { headers: { authorization: `Bearer ${token}` } });
    }
  });

  describe('T11 duplicate JSON members (policy: last member wins, everywhere)', () => {
    // One parser decides: our header check and jsonwebtoken both use JSON.parse, whose rule is "last
    // member wins"; the principal (tenant, scopes) comes from jsonwebtoken's output, never re-decoded.
    const now = () => Math.floor(Date.now() / 1000);
    const payload = (tenants: [string, string], scopes: [string, string]) =>
      `{"iss":"${f.issuer.url}","aud":"${f.t.config.auth.audience}","sub":"user-a1","client_id":"client-1",` +
      `"org_id":"${tenants[0]}","iat":${now()},"exp":${now() + 300},"jti":"dup-${Math.random()}",` +
      `"org_id":"${tenants[1]}","scope":"${scopes[0]}","scope":"${scopes[1]}"}`;
    const header = '{"alg":"none","typ":"at+jwt","kid":"k1","alg":"RS256"}';

    it('when alg, tenant and scope are duplicated, then the last of each decides: RS256, the last tenant, the last scope', async () => {
      const token = signRaw(header, payload(['tenant-zzz-unknown', f.tenantA], [Scope.CrmRead, Scope.CrmWrite]), 'k1');
      expect((await post('/probe/crm', token)).status).toBe(201);
      await expectInsufficientScope(await f.get('/probe/crm', token), Scope.CrmRead);
    });

    it('when the known tenant comes first and an unknown one last, then the unknown one decides (403 unknown_tenant)', async () => {
      const token = signRaw(header, payload([f.tenantA, 'tenant-zzz-unknown'], [Scope.CrmWrite, Scope.CrmRead]), 'k1');
      const response = await f.get('/probe/crm', token);
      expect(response.status).toBe(403);
      expect(await json(response)).toMatchObject({ error: 'unknown_tenant' });
    });

    it('when alg none comes last, then the token is refused', async () => {
      const token = signRaw('{"alg":"RS256","typ":"at+jwt","kid":"k1","alg":"none"}', payload([f.tenantA, f.tenantA], [READ, READ]), 'k1');
      expect((await f.get('/probe/crm', token)).status).toBe(401);
    });
  });

  describe('T13 degenerate ECDSA signatures', () => {
    // P-256 group order n.
    const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const toBytes = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
    const derInteger = (bytes: Buffer) => {
      let trimmed = bytes;
      while (trimmed.length > 1 && trimmed[0] === 0 && trimmed[1] < 0x80) trimmed = trimmed.subarray(1);
      const body = trimmed[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
      return Buffer.concat([Buffer.from([0x02, body.length]), body]);
    };

    it('when the signature is all zeros, r=s=n, or DER-encoded, then 401; a high-S signature is what OpenSSL says (documented)', async () => {
      const valid = f.token({ header: { alg: 'ES256', kid: 'k2' } });
      expect((await f.get('/probe/crm', valid)).status).toBe(200);
      const [h, p, s] = valid.split('.');
      const raw = Buffer.from(s, 'base64url');
      const r = raw.subarray(0, 32);
      const sValue = BigInt(`0x${raw.subarray(32).toString('hex')}`);
      const integers = Buffer.concat([derInteger(r), derInteger(raw.subarray(32))]);
      const der = Buffer.concat([Buffer.from([0x30, integers.length]), integers]);
      for (const signature of [Buffer.alloc(64), Buffer.concat([toBytes(N), toBytes(N)]), der, Buffer.alloc(0), raw.subarray(0, 63)]) {
        const response = await f.get('/probe/crm', `${h}.${p}.${base64url(signature)}`);
        expect(response.status).toBe(401);
      }
      // High-S (n − s) verifies mathematically; OpenSSL (and so jsonwebtoken) does not enforce low-S.
      // That is harmless here (it re-signs the same claims, it forges nothing), so we only pin "no 5xx".
      const highS = Buffer.concat([r, toBytes(N - sValue)]);
      expect([200, 401]).toContain((await f.get('/probe/crm', `${h}.${p}.${base64url(highS)}`)).status);
    });
  });

  describe('T22 unknown tenants', () => {
    it('when a valid token names an unknown tenant, then 403 unknown_tenant, no tenant row appears, and no principal is left on the request', async () => {
      const unknown = `tenant-unknown-${Math.random().toString(16).slice(2, 10)}`;
      const before = handled.length;
      finishedWith.length = 0;
      const response = await post('/scope-probe/write', f.token({ claims: { org_id: unknown, scope: Scope.CrmWrite } }));
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({ error: 'unknown_tenant', error_description: 'The tenant named by the token is not known here' });
      expect(await tenantRows(unknown)).toBe(0);
      expect(handled.length).toBe(before);
      // A request hook that reads the request on finish (the audit trail records writes of requests with a principal)
      // must not see one: the tenant does not exist, nothing may be written on its behalf.
      await waitFor(() => finishedWith.length > 0);
      expect(finishedWith).toEqual([{ path: '/scope-probe/write', principal: undefined }]);
    });
  });
});

describe('resource server: TENANT_AUTO_PROVISION=true (catalog T22, CONTRACT.md Tenants)', () => {
  let f: AuthFixture;
  const created: string[] = [];
  beforeAll(async () => {
    f = await startAuthFixture({ TENANT_AUTO_PROVISION: 'true' });
  });
  afterAll(async () => {
    const dataSource = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
    await dataSource.initialize();
    await dataSource.query('DELETE FROM tenants WHERE id = ANY($1)', [created]);
    await dataSource.destroy();
    await f.close();
  });

  it('when a valid token names an unknown tenant, then the tenant is created and the request succeeds, and again after', async () => {
    const id = `tenant-auto-${Math.random().toString(16).slice(2, 10)}`;
    created.push(id);
    expect(await tenantRows(id)).toBe(0);
    const first = await f.get('/probe/crm', f.token({ claims: { org_id: id } }));
    expect(first.status).toBe(200);
    expect((await json(first)).principal.tenantId).toBe(id);
    expect(await tenantRows(id)).toBe(1);
    expect((await f.get('/probe/crm', f.token({ claims: { org_id: id } }))).status).toBe(200);
  });

  it('when the tenant claim is malformed, then auto-provisioning creates nothing (401)', async () => {
    for (const org of ['*', '', 'a b', `${'x'.repeat(129)}`]) {
      expect((await f.get('/probe/crm', f.token({ claims: { org_id: org } }))).status).toBe(401);
    }
  });
});

// Runs the built product (npm test builds dist/ first), with its real request logging on.
describe('resource server: tokens never reach the logs (catalog T59)', () => {
  it('when tokens arrive in the query string, a cookie or the header, then the access log shows none of them', async () => {
    const issuer = await new TestIssuer().start();
    const port = await findFreePort();
    const app = spawnApp({ PORT: String(port), DATABASE_URL: testDatabaseUrl(), AUTH_ISSUER: issuer.url, LOG_LEVEL: 'info' });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitForOk(`${base}/health/live`, 30_000, app);
      const tokens = Array.from({ length: 6 }, (_, index) => issuer.mint(`${base}`, { claims: { sub: `leak-${index}` } }));
      await fetch(`${base}/health/live?access_token=${tokens[0]}`);
      await fetch(`${base}/no-such-route?x=1&token=${tokens[1]}&y=2`);
      await fetch(`${base}${PRM_SUFFIX}?id_token=${tokens[2]}`);
      await fetch(`${base}/health/live`, { headers: { authorization: `Bearer ${tokens[3]}` } });
      await fetch(`${base}/health/live`, { headers: { cookie: `access_token=${tokens[4]}` } });
      await fetch(`${base}/no-such-route?ACCESS_TOKEN=${tokens[5]}`);
      app.child.kill('SIGTERM');
      await app.exited;
      const output = app.output();
      expect(output).toContain('[REDACTED]');
      expect(output).toContain('/no-such-route?x=1&token=[REDACTED]&y=2');
      for (const token of tokens) {
        const signature = token.split('.')[2];
        expect(output.includes(signature), `token ${tokens.indexOf(token)} leaked`).toBe(false);
      }
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
      await issuer.stop();
    }
  }, 60_000);
});
