import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcp, postMcp, rpcMessages, type Era } from '../helpers/mcp-client.js';
import { CRM_READ, CRM_WRITE, SALES, startMcpFixture, type McpFixture } from '../helpers/mcp-fixture.js';

const CRM_READ_TOOLS = ['crm_get_account', 'crm_list_activities', 'crm_search_accounts', 'crm_search_opportunities'];
// CONTRACT.md, "MCP": every tool, the resource template and the prompts, with their scopes.
const CONTRACT_TOOLS: Record<string, string> = {
  sales_get_forecast: SALES,
  sales_get_revenue: SALES,
  sales_get_pipeline: SALES,
  sales_get_win_rates: SALES,
  crm_search_accounts: CRM_READ,
  crm_get_account: CRM_READ,
  crm_search_opportunities: CRM_READ,
  // Not in CONTRACT.md's list (yet): the read side of crm_log_activity.
  crm_list_activities: CRM_READ,
  crm_update_opportunity: CRM_WRITE,
  crm_log_activity: CRM_WRITE,
  notifications_send: 'mcp:tools:notifications:send',
};
const CRM_WRITE_TOOLS = ['crm_log_activity', 'crm_update_opportunity'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Result = any;
const textOf = (result: Result): string => result.content?.[0]?.text ?? '';

describe.each(['legacy', 'modern'] as Era[])('MCP tools of the landed modules over the %s protocol era (official SDK client)', (era) => {
  let f: McpFixture;
  let seedA: { accountId: string; opportunityId: string };
  let seedB: { accountId: string; opportunityId: string };
  let reader: Client;
  let writer: Client;

  beforeAll(async () => {
    f = await startMcpFixture();
    seedA = await f.seedCrm(f.tenantA);
    seedB = await f.seedCrm(f.tenantB);
    reader = await connectMcp(f.t.baseUrl, f.tokenFor(CRM_READ), era);
    writer = await connectMcp(f.t.baseUrl, f.tokenFor(`${CRM_READ} ${CRM_WRITE}`), era);
  });
  afterAll(async () => {
    await reader?.close();
    await writer?.close();
    await f.close();
  });

  it('when the client connects, then it speaks the expected protocol revision', () => {
    expect(reader.getNegotiatedProtocolVersion()).toBe(era === 'modern' ? '2026-07-28' : '2025-11-25');
  });

  it('when the token holds crm:read only, then tools/list shows exactly the CRM read tools, each with schemas and annotations', async () => {
    const { tools } = await reader.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(CRM_READ_TOOLS);
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    }
  });

  it('when the token also holds crm:write, then the write tools are listed, marked not read-only', async () => {
    const { tools } = await writer.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...CRM_READ_TOOLS, ...CRM_WRITE_TOOLS].sort());
    for (const tool of tools.filter((candidate) => CRM_WRITE_TOOLS.includes(candidate.name))) {
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(false);
      expect(typeof tool.annotations?.destructiveHint, tool.name).toBe('boolean');
    }
  });

  it('when crm_search_accounts is called, then only the own tenant’s accounts come back, as structured content and as JSON text', async () => {
    const result: Result = await reader.callTool({ name: 'crm_search_accounts', arguments: { region: 'EMEA', limit: 50 } });
    expect(result.isError).toBeFalsy();
    const ids = result.structuredContent.data.map((account: { id: string }) => account.id);
    expect(ids).toContain(seedA.accountId);
    expect(ids).not.toContain(seedB.accountId);
    expect(JSON.parse(textOf(result))).toEqual(result.structuredContent);
  });

  it('when crm_get_account is called with an id of the tenant, then that account', async () => {
    const result: Result = await reader.callTool({ name: 'crm_get_account', arguments: { accountId: seedA.accountId } });
    expect(result.structuredContent).toMatchObject({ id: seedA.accountId, region: 'EMEA', segment: 'enterprise' });
  });

  it('when crm_get_account names another tenant’s account or an unknown id, then isError not_found, the same text for both', async () => {
    const other: Result = await reader.callTool({ name: 'crm_get_account', arguments: { accountId: seedB.accountId } });
    const unknown: Result = await reader.callTool({ name: 'crm_get_account', arguments: { accountId: randomUUID() } });
    expect(other.isError).toBe(true);
    expect(textOf(other)).toBe('not_found: Account not found');
    expect(textOf(unknown)).toBe(textOf(other));
    expect(other.structuredContent).toBeUndefined();
  });

  it('when crm_search_opportunities filters by account and stage, then the tenant’s matching opportunities', async () => {
    const result: Result = await reader.callTool({ name: 'crm_search_opportunities', arguments: { accountId: seedA.accountId, stage: ['qualification', 'proposal'] } });
    expect(result.structuredContent.data.map((opportunity: { id: string }) => opportunity.id)).toEqual([seedA.opportunityId]);
    const foreign: Result = await reader.callTool({ name: 'crm_search_opportunities', arguments: { accountId: seedB.accountId } });
    expect(foreign.structuredContent.data).toEqual([]);
  });

  it('when crm_update_opportunity moves the stage with the current version, then the updated opportunity; a stale version is a conflict and writes nothing', async () => {
    const current: Result = await writer.callTool({ name: 'crm_search_opportunities', arguments: { accountId: seedA.accountId } });
    const { version, stage } = current.structuredContent.data[0];
    const next = stage === 'proposal' ? 'negotiation' : 'proposal';
    const updated: Result = await writer.callTool({ name: 'crm_update_opportunity', arguments: { opportunityId: seedA.opportunityId, stage: next, version } });
    expect(updated.isError).toBeFalsy();
    expect(updated.structuredContent).toMatchObject({ id: seedA.opportunityId, stage: next, version: version + 1 });
    const stale: Result = await writer.callTool({ name: 'crm_update_opportunity', arguments: { opportunityId: seedA.opportunityId, amount: 5, version } });
    expect(stale.isError).toBe(true);
    expect(textOf(stale)).toMatch(/^conflict: /);
    const after: Result = await writer.callTool({ name: 'crm_search_opportunities', arguments: { accountId: seedA.accountId } });
    expect(after.structuredContent.data[0]).toMatchObject({ amount: 1000, version: version + 1 });
  });

  it('when crm_update_opportunity names another tenant’s opportunity, then isError not_found and it is unchanged', async () => {
    const result: Result = await writer.callTool({ name: 'crm_update_opportunity', arguments: { opportunityId: seedB.opportunityId, amount: 1 } });
    expect(textOf(result)).toBe('not_found: Opportunity not found');
    const bToken = f.tokenFor(CRM_READ, f.tenantB);
    const check = await f.call('GET', `/api/v1/crm/opportunities/${seedB.opportunityId}`, bToken);
    expect(((await check.json()) as { amount: number }).amount).toBe(1000);
  });

  it('when crm_log_activity is retried with the same idempotencyKey, then one activity is logged and returned twice', async () => {
    const args = { opportunityId: seedA.opportunityId, type: 'call', subject: `Call ${era}`, idempotencyKey: `key-${randomUUID()}` };
    const first: Result = await writer.callTool({ name: 'crm_log_activity', arguments: args });
    const again: Result = await writer.callTool({ name: 'crm_log_activity', arguments: args });
    expect(first.structuredContent).toMatchObject({ opportunityId: seedA.opportunityId, accountId: seedA.accountId, type: 'call' });
    expect(again.structuredContent.id).toBe(first.structuredContent.id);
  });

  it('when crm_list_activities pages through an opportunity’s activities, then newest first, every one once, and another tenant’s opportunity is not_found', async () => {
    const marker = `List ${era} ${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 5; i++) {
      const logged: Result = await writer.callTool({
        name: 'crm_log_activity',
        arguments: { opportunityId: seedA.opportunityId, type: 'note', subject: `${marker} #${i}`, occurredAt: `2031-0${i + 1}-15T10:00:00Z` },
      });
      expect(logged.isError, textOf(logged)).toBeFalsy();
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page: Result = await reader.callTool({ name: 'crm_list_activities', arguments: { opportunityId: seedA.opportunityId, limit: 2, ...(cursor ? { cursor } : {}) } });
      expect(page.isError, textOf(page)).toBeFalsy();
      seen.push(...page.structuredContent.data.map((activity: { subject: string }) => activity.subject));
      cursor = page.structuredContent.nextCursor ?? undefined;
    } while (cursor);
    // Dated in the future, so they come before anything else logged on this opportunity.
    expect(seen.slice(0, 5)).toEqual([4, 3, 2, 1, 0].map((i) => `${marker} #${i}`));
    expect(new Set(seen).size).toBe(seen.length);
    const foreign: Result = await reader.callTool({ name: 'crm_list_activities', arguments: { opportunityId: seedB.opportunityId } });
    expect(foreign.isError).toBe(true);
    expect(textOf(foreign)).toMatch(/^not_found/);
    const rest = await f.call('GET', `/api/v1/crm/opportunities/${seedA.opportunityId}/activities?limit=1`, f.tokenFor(CRM_READ));
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { data: { subject: string }[] }).data[0]!.subject).toBe(seen[0]);
  });

  it('when arguments break the input schema (unknown field, malformed id), then isError with the validation message and nothing runs', async () => {
    const extra: Result = await reader.callTool({ name: 'crm_get_account', arguments: { accountId: seedA.accountId, tenantId: f.tenantB } });
    expect(extra.isError).toBe(true);
    expect(textOf(extra)).toMatch(/tenantId|Unrecognized key/i);
    const malformed: Result = await reader.callTool({ name: 'crm_get_account', arguments: { accountId: 'not-a-uuid' } });
    expect(malformed.isError).toBe(true);
    expect(textOf(malformed)).toMatch(/accountId/);
  });

  it('when an unknown tool is called, then a JSON-RPC invalid-params error, not a result', async () => {
    await expect(reader.callTool({ name: 'crm_delete_everything', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it('when the token holds no scope of any tool, then tools/list is empty rather than an error', async () => {
    const client = await connectMcp(f.t.baseUrl, f.tokenFor('openid'), era);
    expect((await client.listTools()).tools).toEqual([]);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([]);
    expect((await client.listPrompts()).prompts).toEqual([]);
    await client.close();
  });

  it('when a sales-data token connects, then the sales tools are listed and no CRM tool', async () => {
    const client = await connectMcp(f.t.baseUrl, f.tokenFor(SALES), era);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names.filter((name) => name.startsWith('crm_'))).toEqual([]);
    expect(names.every((name) => name.startsWith('sales_'))).toBe(true);
    await client.close();
  });
});

describe('the MCP surface of the contract (catalog T30: every tool, resource and prompt declares its scope)', () => {
  let f: McpFixture;
  beforeAll(async () => {
    f = await startMcpFixture();
  });
  afterAll(() => f.close());

  it('when a token holds every catalog scope, then exactly the contract’s tools, resource template and prompts are listed, each fully described', async () => {
    const all = [...new Set([...Object.values(CONTRACT_TOOLS), 'mcp:resources:customer-insights:read', 'mcp:tools:notifications:manage', 'mcp:admin:audit:read'])];
    const client = await connectMcp(f.t.baseUrl, f.tokenFor(all.join(' ')));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(CONTRACT_TOOLS).sort());
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe('boolean');
    }
    expect((await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate)).toEqual(['insights://accounts/{accountId}']);
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name).sort()).toEqual(['account_brief', 'forecast_review']);
    await client.close();
  });

  it('when a token holds one tool scope only, then only that scope’s tools are listed — for each scope of the contract', async () => {
    for (const scope of new Set(Object.values(CONTRACT_TOOLS))) {
      const client = await connectMcp(f.t.baseUrl, f.tokenFor(scope));
      const expected = Object.entries(CONTRACT_TOOLS).filter(([, needed]) => needed === scope).map(([name]) => name);
      expect((await client.listTools()).tools.map((tool) => tool.name).sort(), scope).toEqual(expected.sort());
      await client.close();
    }
  });
});

describe('MCP calls served concurrently by pooled servers', () => {
  let f: McpFixture;

  beforeAll(async () => {
    f = await startMcpFixture();
  });
  afterAll(() => f.close());

  it('when callers of two tenants send calls at once, all with JSON-RPC id 1, then each gets its own answer and nothing of the other tenant', async () => {
    const seeds = { [f.tenantA]: await f.seedCrm(f.tenantA), [f.tenantB]: await f.seedCrm(f.tenantB) };
    const callOne = async (tenant: string, accountId: string) => {
      const response = await postMcp(f.t.baseUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'crm_get_account', arguments: { accountId } } }, f.tokenFor(CRM_READ, tenant));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const [message] = await rpcMessages(response);
      return { tenant, accountId, message };
    };
    const calls = [];
    for (let round = 0; round < 25; round += 1) {
      for (const tenant of [f.tenantA, f.tenantB]) {
        calls.push(callOne(tenant, seeds[tenant]!.accountId));
        // The other tenant's account, asked for by this tenant: not found, whatever runs beside it.
        calls.push(callOne(tenant, seeds[tenant === f.tenantA ? f.tenantB : f.tenantA]!.accountId));
      }
    }
    for (const { tenant, accountId, message } of await Promise.all(calls)) {
      expect(message.id).toBe(1);
      if (accountId === seeds[tenant]!.accountId) {
        expect(message.result.isError, tenant).toBeFalsy();
        expect(message.result.structuredContent.id).toBe(accountId);
      } else {
        expect(message.result.isError).toBe(true);
        expect(message.result.content[0].text).toMatch(/^not_found: /);
      }
    }
  });
});
