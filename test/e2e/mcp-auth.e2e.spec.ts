import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcp, postMcp, postRpc, rpcMessages, type Era } from '../helpers/mcp-client.js';
import { CRM_READ, CRM_WRITE, SALES, startMcpFixture, type McpFixture } from '../helpers/mcp-fixture.js';

const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };

/** The scopes a 403 challenge names, as a sorted list. */
function challengedScopes(response: Response): string[] {
  const match = /scope="([^"]*)"/.exec(response.headers.get('www-authenticate') ?? '');
  return (match?.[1] ?? '').split(' ').filter(Boolean).sort();
}

describe('MCP authorization at the HTTP layer (catalog T27, T29, T57, T59, T60, T63)', () => {
  let f: McpFixture;
  let prm: string;
  let seed: { accountId: string; opportunityId: string };

  beforeAll(async () => {
    // The conformance fixtures give items under a second scope (sales-data) for resources and prompts.
    f = await startMcpFixture({ MCP_CONFORMANCE_FIXTURES: '1' });
    prm = `${f.t.config.publicUrl}/.well-known/oauth-protected-resource/mcp`;
    seed = await f.seedCrm(f.tenantA);
  });
  afterAll(() => f.close());

  async function opportunityVersion(): Promise<number> {
    const response = await f.call('GET', `/api/v1/crm/opportunities/${seed.opportunityId}`, f.tokenFor(CRM_READ));
    return ((await response.json()) as { version: number }).version;
  }

  it('when POST, GET, DELETE or PUT reach /mcp without a token, then 401 with the MCP resource metadata and no error attribute', async () => {
    const requests: [string, RequestInit][] = [
      ['initialize', { method: 'POST', body: JSON.stringify(initialize) }],
      ['notification', { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) }],
      ['GET', { method: 'GET' }],
      ['DELETE', { method: 'DELETE', headers: { 'mcp-session-id': randomUUID() } }],
      ['PUT', { method: 'PUT', body: '{}' }],
    ];
    for (const [label, init] of requests) {
      const response = await fetch(`${f.t.baseUrl}/mcp`, { ...init, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...init.headers } });
      expect(response.status, label).toBe(401);
      expect(response.headers.get('www-authenticate'), label).toBe(`Bearer resource_metadata="${prm}"`);
      expect(await response.json(), label).toEqual({ error: 'unauthorized', error_description: 'Bearer token required' });
    }
  });

  it('when the token is only in the query string, then it is ignored: 401', async () => {
    const response = await fetch(`${f.t.baseUrl}/mcp?access_token=${f.tokenFor(CRM_READ)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(initialize) });
    expect(response.status).toBe(401);
  });

  it('when the Authorization header is malformed (two tokens), then 400 invalid_request; an invalid token is 401 invalid_token', async () => {
    const token = f.tokenFor(CRM_READ);
    const twice = await postMcp(f.t.baseUrl, initialize, undefined, { authorization: `Bearer ${token} ${token}` });
    expect(twice.status).toBe(400);
    expect(twice.headers.get('www-authenticate')).toContain(`error="invalid_request"`);
    expect(twice.headers.get('www-authenticate')).toContain(`resource_metadata="${prm}"`);
    const forged = await postMcp(f.t.baseUrl, initialize, `${token.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const expired = await postMcp(f.t.baseUrl, initialize, f.tokenFor(CRM_READ, f.tenantA, { iat: 1_000, nbf: 1_000, exp: 1_300 }));
    expect(expired.status).toBe(401);
  });

  it('when a valid token names an unknown tenant, then 403 unknown_tenant before any MCP processing', async () => {
    const response = await postMcp(f.t.baseUrl, initialize, f.tokenFor(CRM_READ, `ghost-${randomUUID().slice(0, 8)}`));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'unknown_tenant' });
  });

  it('when tools/call needs a scope the token lacks, then HTTP 403 insufficient_scope naming needed + held scopes, and nothing is written', async () => {
    const before = await opportunityVersion();
    const response = await postMcp(f.t.baseUrl, call(7, 'crm_update_opportunity', { opportunityId: seed.opportunityId, amount: 1 }), f.tokenFor(CRM_READ));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", /);
    expect(response.headers.get('www-authenticate')).toContain(`resource_metadata="${prm}"`);
    expect(challengedScopes(response)).toEqual([CRM_READ, CRM_WRITE].sort());
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope', required_scope: CRM_WRITE });
    expect(await opportunityVersion()).toBe(before);
  });

  it('when a batch holds one call outside the scopes among permitted ones, then the whole batch is 403 and none of it runs', async () => {
    const before = await opportunityVersion();
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      call(2, 'crm_update_opportunity', { opportunityId: seed.opportunityId, amount: 2 }),
      call(3, 'test_simple_text'),
    ];
    const response = await postMcp(f.t.baseUrl, batch, f.tokenFor(`${CRM_WRITE}`));
    expect(response.status).toBe(403);
    expect(challengedScopes(response)).toEqual([CRM_WRITE, SALES].sort());
    expect(await opportunityVersion()).toBe(before);
  });

  it('when every call of a batch is permitted, then each gets its answer', async () => {
    const batch = [call(1, 'crm_get_account', { accountId: seed.accountId }), call(2, 'test_simple_text')];
    const response = await postMcp(f.t.baseUrl, batch, f.tokenFor(`${CRM_READ} ${SALES}`));
    expect(response.status).toBe(200);
    const messages = await rpcMessages(response);
    expect(messages.map((message) => message.id).sort()).toEqual([1, 2]);
    expect(messages.every((message) => message.result && !message.result.isError)).toBe(true);
  });

  it('when resources/read or prompts/get target an item of a scope the token lacks, then 403 with that scope', async () => {
    const token = f.tokenFor(CRM_READ);
    for (const body of [
      { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'test://static-text' } },
      { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'test://template/42/data' } },
      { jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'test_simple_prompt' } },
    ]) {
      const response = await postMcp(f.t.baseUrl, body, token);
      expect(response.status, body.method).toBe(403);
      expect(challengedScopes(response), body.method).toEqual([CRM_READ, SALES].sort());
    }
  });

  it('when the client steps up to the challenged scope set, then the same call succeeds', async () => {
    const denied = await postMcp(f.t.baseUrl, call(1, 'crm_log_activity', { opportunityId: seed.opportunityId, type: 'note', subject: 'step-up' }), f.tokenFor(CRM_READ));
    expect(denied.status).toBe(403);
    const steppedUp = f.tokenFor(challengedScopes(denied).join(' '));
    const allowed = await postMcp(f.t.baseUrl, call(1, 'crm_log_activity', { opportunityId: seed.opportunityId, type: 'note', subject: 'step-up' }), steppedUp);
    expect(allowed.status).toBe(200);
    const [message] = await rpcMessages(allowed);
    expect(message.result.structuredContent).toMatchObject({ subject: 'step-up' });
  });

  it.each(['legacy', 'modern'] as Era[])('when the official SDK client (%s era) calls a tool outside its scopes, then it surfaces the 403 as an insufficient-scope error', async (era) => {
    const client = await connectMcp(f.t.baseUrl, f.tokenFor(CRM_READ), era);
    const failure = await client.callTool({ name: 'crm_update_opportunity', arguments: { opportunityId: seed.opportunityId, amount: 3 } }).catch((error: unknown) => error);
    expect(String((failure as Error).name ?? failure)).toMatch(/InsufficientScope/);
    expect(String((failure as Error).message)).toContain(CRM_WRITE);
    await client.close();
  });

  it('when a contract wildcard (mcp:tools:*, mcp:*) or parent (mcp:tools:crm) scope is held, then CRM tools are allowed; look-alikes are not', async () => {
    for (const scope of ['mcp:tools:*', 'mcp:*', 'mcp:tools:crm']) {
      const response = await postMcp(f.t.baseUrl, call(1, 'crm_get_account', { accountId: seed.accountId }), f.tokenFor(scope));
      expect(response.status, scope).toBe(200);
    }
    for (const scope of ['mcp:tools:crm:writer', 'MCP:TOOLS:CRM:WRITE', 'mcp:tools:cr', '*', 'mcp:resources:*']) {
      const response = await postMcp(f.t.baseUrl, call(1, 'crm_update_opportunity', { opportunityId: seed.opportunityId, amount: 4 }), f.tokenFor(scope));
      expect(response.status, scope).toBe(403);
    }
  });

  it('when tools/list, initialize and ping come with a token holding none of our scopes, then they answer (the list is empty); calls still need scopes', async () => {
    const token = f.tokenFor('openid');
    expect((await postMcp(f.t.baseUrl, initialize, token)).status).toBe(200);
    const list = await rpcMessages(await postMcp(f.t.baseUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, token));
    expect(list[0].result.tools).toEqual([]);
    expect((await postMcp(f.t.baseUrl, call(3, 'crm_get_account', { accountId: seed.accountId }), token)).status).toBe(403);
  });

  describe('seed RPC twins (POST /mcp/tools/<group>, /mcp/resources/<group>)', () => {
    it('when crm/search_accounts is posted with crm:read, then {result} is the same page the MCP tool returns', async () => {
      const response = await postRpc(f.t.baseUrl, 'tools/crm', { method: 'crm/search_accounts', params: { region: 'EMEA' } }, f.tokenFor(CRM_READ));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { result: { data: { id: string }[] } };
      expect(body.result.data.map((account) => account.id)).toContain(seed.accountId);
    });

    it('when a write method is posted with a read token, then 403 naming needed + held scopes; with the write scope, then 200', async () => {
      const args = { method: 'crm/log_activity', params: { opportunityId: seed.opportunityId, type: 'email', subject: 'rpc' } };
      const denied = await postRpc(f.t.baseUrl, 'tools/crm', args, f.tokenFor(CRM_READ));
      expect(denied.status).toBe(403);
      expect(denied.headers.get('www-authenticate')).toContain(`resource_metadata="${prm}"`);
      expect(challengedScopes(denied)).toEqual([CRM_READ, CRM_WRITE].sort());
      const allowed = await postRpc(f.t.baseUrl, 'tools/crm', args, f.tokenFor(CRM_WRITE));
      expect(allowed.status).toBe(200);
      expect(((await allowed.json()) as { result: { subject: string } }).result.subject).toBe('rpc');
    });

    it('when the method is unknown, belongs to another route, or the route does not exist, then 400 / 400 / 404', async () => {
      const token = f.tokenFor(`${CRM_READ} ${SALES}`);
      expect((await postRpc(f.t.baseUrl, 'tools/crm', { method: 'crm/drop_tables' }, token)).status).toBe(400);
      expect((await postRpc(f.t.baseUrl, 'tools/crm', { method: 'sales/get_forecast' }, token)).status).toBe(400);
      expect((await postRpc(f.t.baseUrl, 'tools/nowhere', { method: 'crm/search_accounts' }, token)).status).toBe(404);
    });

    it('when params break the schema or name another tenant’s record, then the REST contract: 400 with issues, 404 not_found', async () => {
      const token = f.tokenFor(CRM_READ);
      const invalid = await postRpc(f.t.baseUrl, 'tools/crm', { method: 'crm/get_account', params: { accountId: 'x', extra: 1 } }, token);
      expect(invalid.status).toBe(400);
      const body = (await invalid.json()) as { error: string; issues: { path: string }[] };
      expect(body.error).toBe('validation_error');
      expect(body.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(['params.accountId', 'params.extra']));
      const missing = await postRpc(f.t.baseUrl, 'tools/crm', { method: 'crm/get_account', params: { accountId: randomUUID() } }, token);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: 'not_found' });
    });

    it('when an RPC route is called without a token, then 401 with the MCP resource metadata', async () => {
      const response = await postRpc(f.t.baseUrl, 'tools/crm', { method: 'crm/search_accounts' });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${prm}"`);
    });

    it('when the OpenAPI document is read, then each RPC twin is listed with its method, scope and params schema', async () => {
      const document = (await (await fetch(`${f.t.baseUrl}/docs-json`)).json()) as { paths: Record<string, Record<string, { description?: string; requestBody?: unknown }>> };
      const tools = document.paths['/mcp/tools/{group}'].post;
      for (const method of ['crm/search_accounts', 'crm/get_account', 'crm/search_opportunities', 'crm/update_opportunity', 'crm/log_activity']) {
        expect(tools.description).toContain(`\`${method}\``);
        expect(JSON.stringify(tools.requestBody)).toContain(`"${method}"`);
      }
      expect(tools.description).toContain(CRM_WRITE);
      expect(document.paths['/mcp']).toBeUndefined();
    });
  });
});
