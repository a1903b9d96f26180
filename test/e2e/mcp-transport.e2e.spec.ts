import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcp, MCP_HEADERS, postMcp, rpcMessages } from '../helpers/mcp-client.js';
import { CRM_READ, startMcpFixture, type McpFixture } from '../helpers/mcp-fixture.js';
import { downstream, PassthroughProbeModule } from '../helpers/mcp-probe-tools.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const ALLOWED_ORIGIN = 'https://app.example.test';
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const listTools = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

describe('MCP transport safety (catalog T52, T53, T61–T64, T66, T77)', () => {
  let f: McpFixture;
  let token: string;

  beforeAll(async () => {
    f = await startMcpFixture({ MCP_ALLOWED_ORIGINS: ALLOWED_ORIGIN }, [PassthroughProbeModule]);
    token = f.tokenFor(CRM_READ);
  });
  afterAll(() => f.close());

  it('when Origin is not allowed (another site, or null), then 403 before anything else — with or without a token', async () => {
    for (const origin of ['https://evil.example', 'null', `${ALLOWED_ORIGIN}.evil.example`, 'http://app.example.test']) {
      for (const bearer of [token, undefined]) {
        const response = await postMcp(f.t.baseUrl, initialize, bearer, { origin });
        expect(response.status, origin).toBe(403);
        expect(await response.json()).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: 'Forbidden: Origin not allowed' }, id: null });
      }
    }
  });

  it('when Origin is not allowed on the other methods of /mcp and on its RPC twins, then 403 too; routes outside /mcp do not check it', async () => {
    const origin = 'https://evil.example';
    const requests: [string, string][] = [['GET', '/mcp'], ['DELETE', '/mcp'], ['OPTIONS', '/mcp'], ['POST', '/mcp/tools/crm'], ['POST', '/mcp/resources/customer-insights']];
    for (const [method, path] of requests) {
      const response = await fetch(`${f.t.baseUrl}${path}`, { method, headers: { origin, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message, `${method} ${path}`).toBe('Forbidden: Origin not allowed');
    }
    expect((await fetch(`${f.t.baseUrl}/health/live`, { headers: { origin } })).status).toBe(200);
    expect((await fetch(`${f.t.baseUrl}/mcpx`, { headers: { origin } })).status).toBe(404);
  });

  it('when the path to /mcp is spelled another way the router still routes there (trailing slash, percent-encoded), then the Origin check applies too', async () => {
    const origin = 'https://evil.example';
    for (const path of ['/mcp/', '/%6Dcp', '/mcp/tools/%63rm']) {
      const response = await rawRequest(`${f.t.baseUrl}${path}`, { method: 'POST', headers: { ...MCP_HEADERS, origin, authorization: `Bearer ${token}` }, body: JSON.stringify(initialize) });
      expect(response.status, path).toBe(403);
      expect(JSON.parse(response.body), path).toMatchObject({ error: { message: 'Forbidden: Origin not allowed' } });
    }
  });

  it('when Origin is absent, configured, or the server’s own public origin, then the request is served', async () => {
    for (const headers of [{}, { origin: ALLOWED_ORIGIN }, { origin: new URL(f.t.config.publicUrl).origin }] as Record<string, string>[]) {
      expect((await postMcp(f.t.baseUrl, initialize, token, headers)).status).toBe(200);
    }
  });

  it('when the Host header names another site while bound to localhost (DNS rebinding), then 403; localhost names pass', async () => {
    const url = `${f.t.baseUrl}/mcp`;
    const body = JSON.stringify(initialize);
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${token}` };
    const rebound = await rawRequest(url, { method: 'POST', headers: { ...headers, host: 'evil.example.com' }, body });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { message: 'Forbidden: Host not allowed' } });
    for (const host of [`localhost:${new URL(url).port}`, `127.0.0.1:${new URL(url).port}`]) {
      expect((await rawRequest(url, { method: 'POST', headers: { ...headers, host }, body })).status, host).toBe(200);
    }
  });

  it('when MCP-Protocol-Version is unsupported, then 400; supported 2025 revisions and an absent header are served', async () => {
    const bad = await postMcp(f.t.baseUrl, listTools, token, { 'mcp-protocol-version': '1999-01-01' });
    expect(bad.status).toBe(400);
    expect((await rpcMessages(bad))[0].error.message).toMatch(/Unsupported protocol version/);
    for (const version of ['2025-06-18', '2025-11-25', '2025-03-26']) {
      expect((await postMcp(f.t.baseUrl, listTools, token, { 'mcp-protocol-version': version })).status, version).toBe(200);
    }
    const response = await fetch(`${f.t.baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify(listTools),
    });
    expect(response.status).toBe(200);
  });

  it('when the header names 2026-07-28 but the body has no per-request envelope, or header and body disagree, then 400', async () => {
    const noEnvelope = await postMcp(f.t.baseUrl, listTools, token, { 'mcp-protocol-version': '2026-07-28' });
    expect(noEnvelope.status).toBe(400);
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
    const mismatch = await postMcp(f.t.baseUrl, { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: meta } }, token, {
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
    });
    expect(mismatch.status).toBe(400);
  });

  it('when the body is over 1 MB, not JSON-typed, or the client accepts neither JSON nor SSE, then 413 / 415 / 406', async () => {
    const huge = { ...listTools, params: { pad: 'x'.repeat(1_100_000) } };
    expect((await postMcp(f.t.baseUrl, huge, token)).status).toBe(413);
    expect((await postMcp(f.t.baseUrl, JSON.stringify(listTools), token, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await postMcp(f.t.baseUrl, listTools, token, { accept: 'text/html' })).status).toBe(406);
  });

  it('when the body is not a JSON-RPC message, then 400 — never a 500', async () => {
    for (const body of ['{"jsonrpc":"1.0","id":1,"method":"ping"}', '"just a string"', '{"not":"rpc"}', '[]']) {
      const response = await postMcp(f.t.baseUrl, body, token);
      expect(response.status, body).toBe(400);
    }
  });

  it('when the body is not JSON at all, then 400 with a JSON-RPC parse error (-32700, id null) — the RPC twins keep the contract body', async () => {
    const response = await postMcp(f.t.baseUrl, '{"jsonrpc":"2.0","id":1,"method":', token);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringContaining('Parse error') } });
    const twin = await fetch(`${f.t.baseUrl}/mcp/tools/crm`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"method":' });
    expect(twin.status).toBe(400);
    expect(await twin.json()).toMatchObject({ error: 'validation_error', issues: [{ path: 'body' }] });
  });

  it('when GET or DELETE reach /mcp with a token, then 405 with Allow: POST (no sessions, no standalone stream)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${f.t.baseUrl}/mcp`, { method, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it('when initialize succeeds, then no Mcp-Session-Id is minted, and a session id sent by anyone grants nothing (T63)', async () => {
    const response = await postMcp(f.t.baseUrl, initialize, token);
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const otherTenant = f.tokenFor(CRM_READ, f.tenantB);
    const withForeignSession = await postMcp(f.t.baseUrl, listTools, otherTenant, { 'mcp-session-id': 'c0ffee00-0000-4000-8000-000000000000' });
    expect(withForeignSession.status).toBe(200);
    expect(withForeignSession.headers.get('mcp-session-id')).toBeNull();
    const withoutToken = await postMcp(f.t.baseUrl, listTools, undefined, { 'mcp-session-id': 'c0ffee00-0000-4000-8000-000000000000' });
    expect(withoutToken.status).toBe(401);
  });

  it('when a tool forwards everything it can reach to a downstream service, then the caller’s token is not among it (T62)', async () => {
    const recorded: { headers: IncomingMessage['headers']; body: string }[] = [];
    const recorder = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        recorded.push({ headers: request.headers, body });
        response.end('ok');
      });
    });
    await new Promise<void>((done) => recorder.listen(0, '127.0.0.1', done));
    downstream.url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/hook`;
    try {
      for (const era of ['legacy', 'modern'] as const) {
        const client = await connectMcp(f.t.baseUrl, token, era);
        const result = await client.callTool({ name: 'probe_forward_everything', arguments: { note: era } });
        expect(result.content).toEqual([{ type: 'text', text: 'downstream said 200' }]);
        await client.close();
      }
      expect(recorded).toHaveLength(2);
      const signature = token.split('.')[2];
      for (const { headers, body } of recorded) {
        expect(JSON.stringify(headers)).not.toContain(signature);
        expect(body).not.toContain(signature);
        expect(body).not.toMatch(/authorization/i);
        expect(JSON.parse(body).principal).toMatchObject({ tenantId: f.tenantA, scopes: [CRM_READ] });
      }
    } finally {
      recorder.close();
    }
  });
});

describe('MCP without sticky sessions: two app instances behind a round-robin balancer', () => {
  let f: McpFixture;
  let second: TestApp;
  let balancer: Server;
  let balancerUrl: string;
  const served: string[] = [];

  beforeAll(async () => {
    f = await startMcpFixture();
    // The second instance trusts the same issuer and audience (what a fleet behind one URL shares).
    second = await startTestApp({ AUTH_ISSUER: f.issuer.url, AUTH_AUDIENCE: f.t.config.auth.audience, RATE_LIMIT_ENABLED: 'false' });
    const upstreams = [f.t.baseUrl, second.baseUrl];
    let next = 0;
    balancer = createServer((request, response) => {
      const target = new URL(request.url ?? '/', upstreams[next++ % upstreams.length]);
      served.push(target.port);
      const forward = httpRequest(target, { method: request.method, headers: { ...request.headers, host: target.host } }, (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      });
      request.pipe(forward);
    });
    await new Promise<void>((done) => balancer.listen(0, '127.0.0.1', done));
    balancerUrl = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    balancer?.close();
    await second?.close();
    await f.close();
  });

  it('when every request of one SDK client lands on the other instance than the last, then the whole conversation works', async () => {
    const seed = await f.seedCrm(f.tenantA);
    const client = await connectMcp(balancerUrl, f.tokenFor(CRM_READ));
    for (let round = 0; round < 3; round++) {
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      const result = await client.callTool({ name: 'crm_get_account', arguments: { accountId: seed.accountId } });
      expect(result.isError).toBeFalsy();
    }
    await client.close();
    expect(new Set(served).size).toBe(2);
  });
});
