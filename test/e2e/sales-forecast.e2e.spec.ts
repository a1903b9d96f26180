import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';
import { SalesFixtures, type DealSpec } from '../helpers/sales-fixtures.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';

const SALES = 'mcp:tools:sales-data:read';
const SEASON = [10, 12, 15, 11, 9, 20, 25, 24, 18, 14, 12, 30].map((v) => v * 1000);
const month = (year: number, m: number) => `${year}-${String(m + 1).padStart(2, '0')}`;

function wonDeal(closeDate: string, amount: number, accountId: string | null = null): DealSpec {
  return { accountId, amount, stage: 'proposal', closeDate, createdAt: `${closeDate.slice(0, 8)}01`, events: [{ at: `${closeDate}T10:00:00Z`, stage: 'closed_won' }] };
}

/** Four years (2021–2024) in which every year repeats the same twelve months exactly. */
function exactSeason(accountId: string): DealSpec[] {
  return [2021, 2022, 2023, 2024].flatMap((year) => SEASON.map((amount, m) => wonDeal(`${month(year, m)}-15`, amount, accountId)));
}

describe('GET /api/v1/sales/forecast', () => {
  let f: AuthFixture;
  let db: SalesFixtures;
  let token: string;
  let shortTenant: string;
  let dropShort: () => Promise<void>;

  beforeAll(async () => {
    f = await startAuthFixture();
    db = await SalesFixtures.open();
    token = f.token({ claims: { scope: SALES } });
    const account = await db.account(f.tenantA, { name: 'Seasonal Co', region: 'R&D <East>', segment: 'smb' });
    await db.deals(f.tenantA, exactSeason(account));
    // Known only after 2025-01-01: must not move a forecast made as of that day.
    await db.deals(f.tenantA, [wonDeal('2025-01-20', 9_000_000, account), wonDeal('2025-03-03', 7_000_000, account)]);
    shortTenant = uniqueTenantId('sales-short');
    dropShort = await createTenants(shortTenant);
    await db.deals(shortTenant, [1, 2, 3, 4, 5].map((m) => wonDeal(`2024-0${m}-10`, 1000 * m)));
  });
  afterAll(async () => {
    await db.close();
    await f.close();
    await dropShort();
  });

  it('when the history repeats exactly each year, then seasonal naive is chosen and is exact', async () => {
    const body = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-01&horizon=12&method=timeseries', token));
    expect(body).toMatchObject({ asOf: '2025-01-01', interval: 'month', horizon: 12, method: 'timeseries', model: 'seasonal naive' });
    expect(body.periods.map((p: { period: string }) => p.period)).toEqual(SEASON.map((_, m) => month(2025, m)));
    expect(body.periods.map((p: { point: number }) => p.point)).toEqual(SEASON);
    for (const p of body.periods) expect([p.lower95, p.upper95]).toEqual([p.point, p.point]);
    const naive = body.backtest.rows.find((r: { method: string }) => r.method === 'seasonal_naive');
    expect(naive).toMatchObject({ mase: 0, smape: 0, coverage95: 1, origins: 12 });
    expect(body.basis).toMatchObject({ monthsOfHistory: 48, firstMonth: '2021-01', lastCompleteMonth: '2024-12', closedWonDeals: 48, closedWonRevenue: 4 * 200_000 });
    expect(body.reason).toContain('seasonal naive');
  });

  it('when forecasting quarters, then each quarter is the sum of its months', async () => {
    const body = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-01&interval=quarter&horizon=4&method=timeseries', token));
    expect(body.periods.map((p: { period: string; point: number }) => [p.period, p.point])).toEqual([
      ['2025-Q1', 37_000], ['2025-Q2', 40_000], ['2025-Q3', 67_000], ['2025-Q4', 56_000],
    ]);
  });

  it('when asOf is mid-quarter, then the quarter adds what closed before asOf to the forecast of the rest', async () => {
    const body = await json(await f.get('/api/v1/sales/forecast?asOf=2025-02-01&interval=quarter&horizon=1&method=timeseries', token));
    const months = await json(await f.get('/api/v1/sales/forecast?asOf=2025-02-01&interval=month&horizon=2&method=timeseries', token));
    // January 2025 (known by then) closed 9,000,000; February and March are forecast.
    const [feb, mar] = months.periods.map((p: { point: number }) => p.point);
    expect(body.periods[0]).toMatchObject({ period: '2025-Q1', start: '2025-01-01', end: '2025-03-31', closedToDate: 9_000_000 });
    expect(body.periods[0].point).toBeCloseTo(9_000_000 + feb + mar, 1);
    expect(body.periods[0].lower95).toBeGreaterThanOrEqual(9_000_000);
  });

  it('when data closed after asOf exists, then the forecast as of that day ignores it', async () => {
    const asOf = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-01&horizon=3', token));
    expect(asOf.basis.closedWonDeals).toBe(48);
    expect(asOf.periods[0].closedToDate).toBe(0);
    expect(asOf.periods[0].point).toBeLessThan(100_000);
    const later = await json(await f.get('/api/v1/sales/forecast?asOf=2025-02-01&horizon=3', token));
    expect(later.basis.closedWonDeals).toBe(49);
    expect(later.history.at(-1)).toEqual({ month: '2025-01', revenue: 9_000_000 });
  });

  it('when filtered by a region no deal has, then it says there is no history and forecasts zero', async () => {
    const body = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-01&region=Nowhere', token));
    expect(body.periods.every((p: { point: number }) => p.point === 0)).toBe(true);
    expect(body.warnings).toContain('no revenue history: forecasting zero');
    expect(body.basis.monthsOfHistory).toBe(0);
  });

  it('when the history is only 5 months, then it warns and falls back to naive', async () => {
    const shortToken = f.token({ claims: { scope: SALES, org_id: shortTenant } });
    const body = await json(await f.get('/api/v1/sales/forecast?asOf=2024-06-01&horizon=2', shortToken));
    expect(body).toMatchObject({ method: 'timeseries', model: 'naive' });
    expect(body.warnings).toContain('only 5 months of history: seasonal models not fitted; using naive');
    expect(body.periods.map((p: { point: number }) => p.point)).toEqual([5000, 5000]);
  });

  it('when the SVG is asked for, then it is an SVG chart with escaped labels', async () => {
    const response = await f.get(`/api/v1/sales/forecast.svg?asOf=2025-01-01&horizon=6&region=${encodeURIComponent('R&D <East>')}`, token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    const svg = await response.text();
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('R&amp;D &lt;East&gt;');
    expect(svg).not.toContain('<East>');
    expect(svg).toContain('2025-06');
    expect(svg).toContain('<polygon');
  });

  it('when horizon, interval and asOf are invalid, then 400 names each', async () => {
    const response = await f.get('/api/v1/sales/forecast?horizon=13&interval=week&asOf=2020-13-01&method=magic', token);
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.error).toBe('validation_error');
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['query.asOf', 'query.horizon', 'query.interval', 'query.method']);
  });

  it('when asOf is in the future, then 400', async () => {
    const response = await f.get('/api/v1/sales/forecast?asOf=2999-01-01', token);
    expect(response.status).toBe(400);
    expect((await json(response)).issues).toEqual([{ path: 'query.asOf', message: 'must not be in the future' }]);
  });

  it('when the token lacks the sales scope, then 403 names it', async () => {
    const crmOnly = f.token({ claims: { scope: 'mcp:tools:crm:read' } });
    for (const path of ['forecast', 'forecast.svg', 'revenue', 'pipeline', 'win-rates']) {
      const response = await f.get(`/api/v1/sales/${path}`, crmOnly);
      expect(response.status, path).toBe(403);
      expect((await json(response)).required_scope).toBe(SALES);
    }
  });
});
