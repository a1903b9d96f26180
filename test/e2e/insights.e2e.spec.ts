import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, monthIndex, periodLabel } from '../../src/sales/shared/periods.js';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';
import { connectMcp } from '../helpers/mcp-client.js';
import { SalesFixtures, type DealSpec } from '../helpers/sales-fixtures.js';

const INSIGHTS = 'mcp:resources:customer-insights:read';
const today = new Date().toISOString().slice(0, 10);
const ago = (days: number) => addDays(today, -days);

function won(accountId: string, closeDate: string, amount: number): DealSpec {
  return { accountId, amount, stage: 'proposal', closeDate, createdAt: addDays(closeDate, -20), events: [{ at: closeDate, stage: 'closed_won' }] };
}

describe('GET /api/v1/insights/accounts/:id and insights://accounts/{accountId}', () => {
  let f: AuthFixture;
  let db: SalesFixtures;
  let token: string;
  let accountId: string;
  let quietId: string;
  let otherTenantAccount: string;
  let slippedId: string;

  beforeAll(async () => {
    f = await startAuthFixture({ RATE_LIMIT_ENABLED: 'false' });
    db = await SalesFixtures.open();
    token = f.token({ claims: { scope: INSIGHTS } });
    accountId = await db.account(f.tenantA, { name: 'Shrinking Ltd', region: 'EMEA', segment: 'mid-market', owner: 'eva' });
    quietId = await db.account(f.tenantA, { name: 'Quiet Ltd' });
    otherTenantAccount = await db.account(f.tenantB, { name: 'Not yours' });
    const ids = await db.deals(f.tenantA, [
      // Spend: 10,000 in the 12 months before the last 12, 5,000 in the last 12.
      won(accountId, ago(500), 6000),
      won(accountId, ago(400), 4000),
      won(accountId, ago(100), 5000),
      { accountId, name: 'Expansion', amount: 8000, stage: 'negotiation', closeDate: ago(60), createdAt: ago(90),
        events: [{ at: ago(70), closeDate: ago(30) }, { at: ago(35), closeDate: addDays(today, 20) }] },
      { accountId, name: 'Add-on', amount: 2000, stage: 'proposal', closeDate: ago(3), createdAt: ago(40) },
      // Another account's deal is not this account's pipeline.
      { accountId: quietId, amount: 99_999, stage: 'proposal', closeDate: ago(3), createdAt: ago(40) },
    ]);
    slippedId = ids[3];
    await db.activity(f.tenantA, { accountId, occurredAt: `${ago(120)}T10:00:00Z`, subject: 'Kick-off' });
    await db.activity(f.tenantA, { opportunityId: slippedId, occurredAt: `${ago(45)}T10:00:00Z`, type: 'email', subject: 'Pricing <follow-up>' });
  });
  afterAll(async () => {
    await db.close();
    await f.close();
  });

  it('when an account is asked for, then trend, pipeline, last activity and evidenced risks come back', async () => {
    const response = await f.get(`/api/v1/insights/accounts/${accountId}`, token);
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.account).toEqual({ id: accountId, name: 'Shrinking Ltd', region: 'EMEA', segment: 'mid-market', owner: 'eva', industry: null });
    expect(body.revenue).toMatchObject({ last12Months: 5000, previous12Months: 10_000, changePct: -0.5, lastWonOn: ago(100) });
    expect(body.revenue.quarters).toHaveLength(8);
    expect(body.revenue.quarters.at(-1).quarter).toBe(periodLabel(monthIndex(today) - (monthIndex(today) % 3), 'quarter'));
    // Eight quarters reach back at least 21 months: all three wins are in them.
    expect(body.revenue.quarters.reduce((s: number, q: { revenue: number }) => s + q.revenue, 0)).toBe(15_000);
    expect(body.openPipeline).toMatchObject({ deals: 2, amount: 10_000, nextCloseDate: ago(3) });
    expect(body.lastActivity).toMatchObject({ daysAgo: 45, type: 'email', subject: 'Pricing <follow-up>', opportunityId: slippedId, last30Days: 0 });
    const risks = Object.fromEntries(body.risks.map((r: { code: string }) => [r.code, r]));
    expect(Object.keys(risks).sort()).toEqual(['no_recent_activity', 'overdue_deals', 'shrinking_spend', 'slipped_deals']);
    expect(risks.no_recent_activity).toMatchObject({ severity: 'high', evidence: { daysSince: 45, thresholdDays: 30, openDeals: 2, openAmount: 10_000 } });
    expect(risks.slipped_deals).toMatchObject({ severity: 'high', evidence: { deals: [{ id: slippedId, name: 'Expansion', originalCloseDate: ago(60), closeDate: addDays(today, 20), timesMoved: 2, amount: 8000 }] } });
    expect(risks.overdue_deals.evidence.deals).toEqual([{ id: expect.any(String), name: 'Add-on', amount: 2000, closeDate: ago(3) }]);
    expect(risks.shrinking_spend).toMatchObject({ severity: 'medium', evidence: { last12Months: 5000, previous12Months: 10_000, changePct: -0.5, thresholdPct: -0.2 } });
  });

  it('when an account has an overdue deal and no activity was ever logged, then both are flagged', async () => {
    const body = await json(await f.get(`/api/v1/insights/accounts/${quietId}`, token));
    expect(body.lastActivity).toBeNull();
    expect(body.openPipeline).toMatchObject({ deals: 1, amount: 99_999 });
    expect(body.risks.map((r: { code: string }) => r.code)).toEqual(['no_recent_activity', 'overdue_deals']);
    expect(body.risks[0]).toMatchObject({ message: 'No activity was ever logged while the account has 1 open deal(s)', evidence: { lastActivityAt: null } });
  });

  it('when the id is another tenant’s or unknown, then 404 with the same body', async () => {
    const theirs = await f.get(`/api/v1/insights/accounts/${otherTenantAccount}`, token);
    const unknown = await f.get('/api/v1/insights/accounts/00000000-0000-4000-8000-000000000000', token);
    expect([theirs.status, unknown.status]).toEqual([404, 404]);
    expect(await json(theirs)).toEqual(await json(unknown));
  });

  it('when the id is not a UUID, then 400 names it', async () => {
    const response = await f.get('/api/v1/insights/accounts/not-a-uuid', token);
    expect(response.status).toBe(400);
    expect((await json(response)).issues).toEqual([{ path: 'params.id', message: 'must be a UUID' }]);
  });

  it('when the token lacks the insights scope, then 403 names it', async () => {
    const response = await f.get(`/api/v1/insights/accounts/${accountId}`, f.token({ claims: { scope: 'mcp:tools:sales-data:read mcp:tools:crm:read' } }));
    expect(response.status).toBe(403);
    expect((await json(response)).required_scope).toBe(INSIGHTS);
  });

  it('when read as an MCP resource, then the same document comes back; another tenant’s is not found', async () => {
    const client = await connectMcp(f.t.baseUrl, token);
    try {
      const templates = await client.listResourceTemplates();
      expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toContain('insights://accounts/{accountId}');
      const read = await client.readResource({ uri: `insights://accounts/${accountId}` });
      const content = read.contents[0] as { mimeType: string; text: string };
      expect(content.mimeType).toBe('application/json');
      const doc = JSON.parse(content.text);
      expect(doc.account.id).toBe(accountId);
      expect(doc.risks).toHaveLength(4);
      await expect(client.readResource({ uri: `insights://accounts/${otherTenantAccount}` })).rejects.toThrow(/not found/i);
      const brief = await client.getPrompt({ name: 'account_brief', arguments: { accountId } });
      expect(brief.messages[0].content).toMatchObject({ type: 'resource', resource: { uri: `insights://accounts/${accountId}`, mimeType: 'application/json' } });
      expect(brief.messages[1].content).toMatchObject({ type: 'text' });
    } finally {
      await client.close();
    }
  });

  it('when called through the seed RPC route, then the same service answers', async () => {
    const response = await fetch(`${f.t.baseUrl}/mcp/resources/customer-insights`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'insights/get_account', params: { accountId } }),
    });
    expect(response.status).toBe(200);
    const { result } = await json(response);
    expect(result.account.name).toBe('Shrinking Ltd');
  });
});
