import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';
import { SalesFixtures, type DealSpec } from '../helpers/sales-fixtures.js';

const SALES = 'mcp:tools:sales-data:read';

describe('GET /api/v1/sales/revenue (hand-computed table)', () => {
  let f: AuthFixture;
  let db: SalesFixtures;
  let token: string;

  beforeAll(async () => {
    f = await startAuthFixture();
    db = await SalesFixtures.open();
    token = f.token({ claims: { scope: SALES } });
    const north = await db.account(f.tenantA, { name: 'North Co', region: 'North', segment: 'smb' });
    const south = await db.account(f.tenantA, { name: 'South Co', region: 'South', segment: 'enterprise' });
    const won = (accountId: string, closeDate: string, amount: number, owner: string, product: string): DealSpec => ({
      accountId, amount, owner, product, stage: 'proposal', closeDate, createdAt: '2023-06-01',
      events: [{ at: `${closeDate}T12:00:00Z`, stage: 'closed_won' }],
    });
    await db.deals(f.tenantA, [
      won(north, '2024-01-15', 100, 'ann', 'X'),
      won(south, '2024-01-20', 50, 'bob', 'Y'),
      won(north, '2024-03-05', 200, 'ann', 'Y'),
      won(north, '2025-01-10', 300, 'bob', 'X'),
      won(south, '2025-03-31', 25.5, 'ann', 'X'),
      // Not revenue: lost, and still open.
      { accountId: north, amount: 999, stage: 'proposal', closeDate: '2025-02-01', createdAt: '2024-12-01', events: [{ at: '2025-02-01', stage: 'closed_lost' }] },
      { accountId: north, amount: 777, stage: 'negotiation', closeDate: '2025-02-15', createdAt: '2024-12-01' },
    ]);
    // Another tenant's revenue in the same months must never show.
    const other = await db.account(f.tenantB, { name: 'Other', region: 'North', segment: 'smb' });
    await db.deals(f.tenantB, [won(other, '2025-01-05', 5000, 'zed', 'X')]);
  });
  afterAll(async () => {
    await db.close();
    await f.close();
  });

  it('when asking for months of Q1 2025, then each month has its revenue, the change and the year-ago change', async () => {
    const body = await json(await f.get('/api/v1/sales/revenue?from=2025-01-01&to=2025-03-31&interval=month', token));
    expect(body).toMatchObject({ interval: 'month', from: '2025-01-01', to: '2025-03-31', total: 325.5, deals: 2 });
    expect(body.series).toHaveLength(1);
    expect(body.series[0].periods).toEqual([
      { period: '2025-01', start: '2025-01-01', end: '2025-01-31', revenue: 300, deals: 1, complete: true, previous: 0, change: 300, changePct: null, yearAgo: 150, yoyChange: 150, yoyChangePct: 1 },
      { period: '2025-02', start: '2025-02-01', end: '2025-02-28', revenue: 0, deals: 0, complete: true, previous: 300, change: -300, changePct: -1, yearAgo: 0, yoyChange: 0, yoyChangePct: null },
      { period: '2025-03', start: '2025-03-01', end: '2025-03-31', revenue: 25.5, deals: 1, complete: true, previous: 0, change: 25.5, changePct: null, yearAgo: 200, yoyChange: -174.5, yoyChangePct: -0.8725 },
    ]);
  });

  it('when asking for quarters mid-period, then the range snaps to whole quarters and empty quarters are 0', async () => {
    const body = await json(await f.get('/api/v1/sales/revenue?from=2024-02-10&to=2025-02-01&interval=quarter', token));
    expect(body.from).toBe('2024-01-01');
    expect(body.to).toBe('2025-03-31');
    const periods = body.series[0].periods.map((p: { period: string; revenue: number; yoyChangePct: number | null }) => [p.period, p.revenue, p.yoyChangePct]);
    expect(periods).toEqual([
      ['2024-Q1', 350, null],
      ['2024-Q2', 0, null],
      ['2024-Q3', 0, null],
      ['2024-Q4', 0, null],
      ['2025-Q1', 325.5, -0.07],
    ]);
  });

  it('when grouped by region, then one series per region, largest first', async () => {
    const body = await json(await f.get('/api/v1/sales/revenue?from=2024-01-01&to=2025-12-31&interval=year&groupBy=region', token));
    const series = body.series.map((s: { group: string; total: number; periods: { revenue: number }[] }) => [s.group, s.total, s.periods.map((p) => p.revenue)]);
    expect(series).toEqual([
      ['North', 600, [300, 300]],
      ['South', 75.5, [50, 25.5]],
    ]);
    expect(body).toMatchObject({ groupsShown: 2, groupsTotal: 2, total: 675.5 });
  });

  it('when filtered by owner and grouped by product, then only that owner’s deals count', async () => {
    const body = await json(await f.get('/api/v1/sales/revenue?from=2024-01-01&to=2025-12-31&interval=year&owner=ann&groupBy=product', token));
    const series = body.series.map((s: { group: string; periods: { revenue: number }[] }) => [s.group, s.periods.map((p) => p.revenue)]);
    expect(series).toEqual([
      ['Y', [200, 0]],
      ['X', [100, 25.5]],
    ]);
  });

  it('when filtered by segment, then only accounts of that segment count', async () => {
    const body = await json(await f.get('/api/v1/sales/revenue?from=2024-01-01&to=2025-12-31&interval=year&segment=enterprise', token));
    expect(body.series[0].periods.map((p: { revenue: number }) => p.revenue)).toEqual([50, 25.5]);
  });

  it('when the query is invalid, then 400 names each field', async () => {
    const response = await f.get('/api/v1/sales/revenue?interval=week&from=2025-02-30&groupBy=color&extra=1', token);
    expect(response.status).toBe(400);
    const paths = (await json(response)).issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['query.extra', 'query.from', 'query.groupBy', 'query.interval']);
  });

  it('when `from` is after `to`, then 400 on from', async () => {
    const response = await f.get('/api/v1/sales/revenue?from=2025-03-01&to=2025-01-01', token);
    expect(response.status).toBe(400);
    expect((await json(response)).issues).toEqual([{ path: 'query.from', message: 'must not be after `to`' }]);
  });
});
