import { Injectable, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Scope } from '../../src/auth/scope.js';
import { McpDataToolCalls } from '../../src/mcp/mcp-data-tool-calls.js';
import { McpCapabilities, McpTool } from '../../src/mcp/mcp.decorators.js';
import { MCP_HEADERS, rpcMessages } from '../helpers/mcp-client.js';
import { CRM_READ, CRM_WRITE, SALES, startMcpFixture, type McpFixture } from '../helpers/mcp-fixture.js';

const READ = { readOnlyHint: true } as const;

/** Data tools that break the rules a data tool must keep, to compare how both paths report it. */
@McpCapabilities()
@Injectable()
class MisbehavingTools {
  @McpTool({ name: 'fixture_wrong_output', title: 'Wrong output', description: 'Answers data its output schema refuses', scope: Scope.SalesDataRead, annotations: READ, output: z.object({ count: z.number(), items: z.array(z.string()) }) })
  wrongOutput() {
    return { count: 'three', items: ['a', 2] } as never;
  }

  @McpTool({ name: 'fixture_no_output', title: 'No output', description: 'Answers nothing though it has an output schema', scope: Scope.SalesDataRead, annotations: READ, output: z.object({ ok: z.boolean() }) })
  noOutput() {
    return undefined as never;
  }

  @McpTool({ name: 'fixture_no_input', title: 'No input', description: 'Takes no arguments', scope: Scope.SalesDataRead, annotations: READ, output: z.object({ input: z.record(z.string(), z.unknown()) }) })
  noInput(_principal: unknown, input: Record<string, never>) {
    return { input };
  }

  @McpTool({ name: 'fixture_throws', title: 'Throws', description: 'Fails with an unexpected error', scope: Scope.SalesDataRead, annotations: READ, output: z.object({ ok: z.boolean() }) })
  throws(): never {
    throw new Error('boom');
  }
}

@Module({ providers: [MisbehavingTools] })
class MisbehavingToolsModule {}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Message = any;

/**
 * A 2025-era `tools/call` of a data tool is answered by McpDataToolCalls instead of the SDK's
 * McpServer. Each case here sends the same call twice: as is (the direct path) and with an empty
 * `_meta` in its params (which the direct path leaves to the SDK: the McpServer answers it), and
 * expects the same JSON-RPC answer — results, tool errors and protocol errors alike.
 */
describe('MCP tools/call of data tools: the direct path answers as the SDK does', () => {
  let f: McpFixture;
  let token: string;
  let seed: { accountId: string; opportunityId: string };
  let otherTenantAccount: string;
  let direct: ReturnType<typeof vi.spyOn>;

  beforeAll(async () => {
    f = await startMcpFixture({}, [MisbehavingToolsModule]);
    seed = await f.seedCrm(f.tenantA);
    otherTenantAccount = (await f.seedCrm(f.tenantB)).accountId;
    token = f.tokenFor(`${SALES} ${CRM_READ}`);
    direct = vi.spyOn(f.t.app.get(McpDataToolCalls), 'respond');
  });
  afterAll(() => f.close());

  /** POST /mcp with the usual headers, changed by `headers` (undefined: left out). */
  function post(body: unknown, headers: Record<string, string | undefined> = {}): Promise<Response> {
    const merged: Record<string, string | undefined> = { ...MCP_HEADERS, authorization: `Bearer ${token}`, ...headers };
    return fetch(`${f.t.baseUrl}/mcp`, { method: 'POST', headers: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)) as Record<string, string>, body: JSON.stringify(body) });
  }

  /** One call both ways: [direct answer, SDK answer], and whether the direct path served the first. */
  async function bothWays(name: string, args: unknown, id: unknown = 7, headers: Record<string, string | undefined> = {}): Promise<{ fast: Message; sdk: Message; servedDirectly: boolean }> {
    const params = args === undefined ? { name } : { name, arguments: args };
    const before = direct.mock.calls.length;
    const fastResponse = await post({ jsonrpc: '2.0', id, method: 'tools/call', params }, headers);
    const servedDirectly = direct.mock.calls.length === before + 1;
    const sdkResponse = await post({ jsonrpc: '2.0', id, method: 'tools/call', params: { ...params, _meta: {} } }, headers);
    expect(direct.mock.calls.length, 'the SDK path must not reach the direct path').toBe(before + (servedDirectly ? 1 : 0));
    expect(fastResponse.status).toBe(sdkResponse.status);
    expect(fastResponse.headers.get('content-type')).toBe(sdkResponse.headers.get('content-type'));
    const [[fast], [sdk]] = [await rpcMessages(fastResponse), await rpcMessages(sdkResponse)];
    return { fast, sdk, servedDirectly };
  }

  it.each([
    ['sales_get_pipeline', {}],
    ['sales_get_forecast', { horizon: 2 }],
    ['sales_get_revenue', { from: '2025-01-01', to: '2025-12-31' }],
    ['sales_get_win_rates', { groupBy: 'region' }],
    ['crm_search_accounts', { region: 'EMEA', limit: 5 }],
    ['crm_search_opportunities', { stage: ['qualification'], limit: 5 }],
  ])('when %s is called with valid arguments, then the direct path serves it with the SDK’s answer', async (name, args) => {
    const { fast, sdk, servedDirectly } = await bothWays(name, args);
    expect(servedDirectly).toBe(true);
    expect(fast.result.isError, JSON.stringify(fast).slice(0, 300)).toBeUndefined();
    expect(fast).toEqual(sdk);
    // The cached answer again (checked and serialized once): still the same.
    expect((await bothWays(name, args)).fast).toEqual(sdk);
  });

  it('when point reads are called (own record, another tenant’s, with a string id), then each answer is the SDK’s', async () => {
    const own = await bothWays('crm_get_account', { accountId: seed.accountId }, 'call-1');
    expect(own.servedDirectly).toBe(true);
    expect(own.fast.id).toBe('call-1');
    expect(own.fast.result.structuredContent.id).toBe(seed.accountId);
    expect(own.fast).toEqual(own.sdk);
    const foreign = await bothWays('crm_get_account', { accountId: otherTenantAccount });
    expect(foreign.servedDirectly).toBe(true);
    expect(foreign.fast.result).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/^not_found: /) }] });
    expect(foreign.fast).toEqual(foreign.sdk);
    const activities = await bothWays('crm_list_activities', { opportunityId: seed.opportunityId, limit: 2 });
    expect(activities.fast).toEqual(activities.sdk);
  });

  it('when a tool’s output breaks its output schema or is missing, then the direct path reports it in the SDK’s words', async () => {
    for (const name of ['fixture_wrong_output', 'fixture_no_output']) {
      const { fast, sdk, servedDirectly } = await bothWays(name, {});
      expect(servedDirectly).toBe(true);
      expect(fast.result).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/^Output validation error: /) }] });
      expect(fast).toEqual(sdk);
    }
  });

  it('when a tool throws, or takes no input but is sent some, then the answers match too', async () => {
    const thrown = await bothWays('fixture_throws', {});
    expect(thrown.fast.result.content[0].text).toMatch(/^internal_error: Internal error \(errorId [0-9a-f-]{36}\)$/);
    // The error id differs per call; the rest is the same.
    const withoutErrorId = (message: Message) => JSON.parse(JSON.stringify(message).replace(/errorId [0-9a-f-]{36}/, 'errorId …'));
    expect(withoutErrorId(thrown.fast)).toEqual(withoutErrorId(thrown.sdk));
    for (const args of [undefined, {}, { ignored: true }]) {
      const { fast, sdk, servedDirectly } = await bothWays('fixture_no_input', args);
      expect(servedDirectly).toBe(true);
      expect(fast.result.structuredContent).toEqual({ input: {} });
      expect(fast).toEqual(sdk);
    }
  });

  it('when the arguments are refused, the tool is unknown or not the caller’s, then the SDK answers (the direct path declines)', async () => {
    const cases: [string, unknown][] = [
      ['crm_get_account', { accountId: 'not-a-uuid' }],
      ['crm_get_account', { accountId: seed.accountId, extra: 1 }],
      ['crm_get_account', ['an', 'array']],
      ['crm_get_account', null],
      ['sales_get_nothing', {}],
      ['crm_update_opportunity', { opportunityId: seed.opportunityId, version: 1, stage: 'proposal' }],
    ];
    for (const [name, args] of cases) {
      const { fast, sdk, servedDirectly } = await bothWays(name, args);
      expect(servedDirectly, name).toBe(false);
      expect(fast, `${name} ${JSON.stringify(args)}`).toEqual(sdk);
    }
  });

  it('when the protocol version header names a 2025 revision or none, then the call is served directly, as the SDK answers it', async () => {
    for (const version of ['2025-11-25', '2025-06-18', '2025-03-26', undefined]) {
      const { fast, sdk, servedDirectly } = await bothWays('sales_get_win_rates', {}, 8, { 'mcp-protocol-version': version });
      expect(servedDirectly, String(version)).toBe(true);
      expect(fast).toEqual(sdk);
    }
  });

  it('when the message or its headers are anything but a plain 2025-era call, then the SDK answers it (the direct path declines)', async () => {
    const declined = async (body: unknown, headers: Record<string, string> = {}) => {
      const before = direct.mock.calls.length;
      const response = await post(body, headers);
      expect(direct.mock.calls.length, JSON.stringify({ body, headers })).toBe(before);
      return { status: response.status, messages: await rpcMessages(response) };
    };
    const call = { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'sales_get_win_rates', arguments: {} } };
    // The 2026-07-28 revision without its per-request envelope: the SDK's 400.
    expect((await declined(call, { 'mcp-protocol-version': '2026-07-28' })).status).toBe(400);
    // Accept without text/event-stream: the transport's 406.
    expect((await declined(call, { accept: 'application/json' })).status).toBe(406);
    // Not a JSON-RPC request by the SDK's schema: a fractional or null id, another member, another version.
    expect((await declined({ ...call, id: 1.5 })).status).toBe(400);
    expect((await declined({ ...call, id: null })).status).toBe(400);
    expect((await declined({ ...call, jsonrpc: '1.0' })).status).toBe(400);
    const extra = await declined({ ...call, extra: true });
    expect(extra).toEqual({ status: 400, messages: [{ jsonrpc: '2.0', error: { code: -32600, message: expect.stringMatching(/not a valid JSON-RPC message/) }, id: null }] });
    // A batch of one: the SDK's batch handling.
    const batch = await declined([call]);
    expect(batch.status).toBe(200);
    expect(batch.messages[0].result.structuredContent.groupBy).toBe('stage');
    // Served directly once the headers are plain again.
    const before = direct.mock.calls.length;
    expect((await post(call)).status).toBe(200);
    expect(direct.mock.calls.length).toBe(before + 1);
  });

  it('when the caller holds the tool’s scope through crm:write too, then a write tool is served directly, with the SDK’s result shape', async () => {
    token = f.tokenFor(`${SALES} ${CRM_READ} ${CRM_WRITE}`);
    const args = { opportunityId: seed.opportunityId, type: 'note', subject: 'Direct path', occurredAt: '2026-01-02T03:04:05.000Z' };
    const { fast, sdk, servedDirectly } = await bothWays('crm_log_activity', args);
    expect(servedDirectly).toBe(true);
    expect(fast.result.isError).toBeUndefined();
    // Two writes, two activities: the same shape, each its own id.
    expect({ ...fast.result.structuredContent, id: undefined, createdAt: undefined, updatedAt: undefined }).toEqual({
      ...sdk.result.structuredContent,
      id: undefined,
      createdAt: undefined,
      updatedAt: undefined,
    });
    expect(fast.result.structuredContent.id).not.toBe(sdk.result.structuredContent.id);
  });
});
