import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, monthIndex, monthStart, periodEnd } from '../../src/sales/shared/periods.js';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';
import { SalesFixtures, type DealSpec } from '../helpers/sales-fixtures.js';

const SALES = 'mcp:tools:sales-data:read';
const today = new Date().toISOString().slice(0, 10);
const ago = (days: number) => addDays(today, -days);
const quarterEnd = periodEnd(monthIndex(today) - (monthIndex(today) % 3), 'quarter');

/**
 * 24 months (2023–2024) in which, on the 1st of each month, 4 deals of 1,000 sit in `proposal`
 * (created on the 20th before) and on the 10th two are won and two lost: the learned chance of
 * such a deal being won in the same month is exactly 1/2, in any later month 0.
 */
function learnedHalf(): DealSpec[] {
  const out: DealSpec[] = [];
  for (let m = monthIndex('2023-01-01'); m <= monthIndex('2024-12-01'); m++) {
    const created = addDays(monthStart(m), -12);
    const closed = addDays(monthStart(m), 9);
    for (let i = 0; i < 4; i++) {
      out.push({ amount: 1000, stage: 'proposal', probability: 80, closeDate: closed, createdAt: `${created}T09:00:00Z`, events: [{ at: `${closed}T15:00:00Z`, stage: i < 2 ? 'closed_won' : 'closed_lost' }] });
    }
  }
  return out;
}

describe('sales pipeline, pipeline forecast and win rates (known probabilities)', () => {
  let f: AuthFixture;
  let db: SalesFixtures;
  let tokenA: string;
  let tokenB: string;
  let openAtAsOf: string[];

  beforeAll(async () => {
    f = await startAuthFixture();
    db = await SalesFixtures.open();
    tokenA = f.token({ claims: { scope: SALES } });
    tokenB = f.token({ claims: { scope: SALES, org_id: f.tenantB } });
    await db.deals(f.tenantA, learnedHalf());
    // Open on 2025-01-01 and won on 2025-01-10: after asOf, so an asOf forecast must see them open.
    openAtAsOf = await db.deals(f.tenantA, [0, 1, 2, 3].map((i) => ({
      name: `Open ${i}`, amount: 1000, stage: 'proposal' as const, closeDate: '2025-01-10', createdAt: '2024-12-20T09:00:00Z',
      events: [{ at: '2025-01-10T15:00:00Z', stage: 'closed_won' as const }],
    })));
    // Created after asOf: must not be a driver of the asOf forecast.
    await db.deals(f.tenantA, [{ name: 'Later', amount: 50_000, stage: 'proposal', closeDate: '2025-02-01', createdAt: '2025-01-05' }]);

    // Tenant B: 10 deals reached proposal only (6 won after 30 days, 4 lost after 10), 4 went on to
    // negotiation on day 5 (3 won on day 40, 1 lost on day 20); and four open deals today.
    const d0 = ago(500);
    const closedDeals: DealSpec[] = [
      ...Array.from({ length: 10 }, (_, i): DealSpec => {
        const end = addDays(d0, i < 6 ? 30 : 10);
        return { owner: 'ann', amount: 100, stage: 'proposal', closeDate: end, createdAt: d0, events: [{ at: end, stage: i < 6 ? 'closed_won' : 'closed_lost', closeDate: end }] };
      }),
      ...Array.from({ length: 4 }, (_, i): DealSpec => {
        const end = addDays(d0, i < 3 ? 40 : 20);
        return { owner: 'bob', amount: 100, stage: 'proposal', closeDate: end, createdAt: d0, events: [{ at: addDays(d0, 5), stage: 'negotiation' }, { at: end, stage: i < 3 ? 'closed_won' : 'closed_lost', closeDate: end }] };
      }),
    ];
    await db.deals(f.tenantB, [
      ...closedDeals,
      { name: 'O1', amount: 10_000, stage: 'proposal', closeDate: today, createdAt: ago(10) },
      { name: 'O2', amount: 20_000, stage: 'negotiation', closeDate: ago(20), createdAt: ago(45), events: [{ at: ago(25), closeDate: quarterEnd }] },
      { name: 'O3', amount: null, stage: 'prospecting', closeDate: null, createdAt: ago(400) },
      { name: 'O4', amount: 1000, stage: 'qualification', closeDate: ago(5), createdAt: ago(100) },
    ]);
  });
  afterAll(async () => {
    await db.close();
    await f.close();
  });

  it('when the pipeline method forecasts as of a date, then open deals count at their learned probability', async () => {
    const body = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-01&horizon=3&method=pipeline', tokenA));
    expect(body.method).toBe('pipeline');
    const [jan, feb] = body.periods;
    // January: 4 open deals × 1,000 × P(won in the month) = 1/2, no new business (all revenue came from open deals).
    expect(jan).toMatchObject({ period: '2025-01', point: 2000, closedToDate: 0, components: { closedToDate: 0, openPipeline: 2000, newBusiness: 0 } });
    // Σ amount² p(1 − p) = 4 × 1,000² × 1/4 → σ = 1,000.
    expect(jan.lower95).toBeCloseTo(2000 - 1959.96, 1);
    expect(jan.upper80).toBeCloseTo(2000 + 1281.55, 1);
    // February: nothing left from today's deals; new deals bring 2,000 a month.
    expect(feb).toMatchObject({ period: '2025-02', point: 2000, components: { openPipeline: 0, newBusiness: 2000 } });
    expect(body.basis).toMatchObject({ openDeals: 4, openPipelineAmount: 4000, monthsOfHistory: 24 });
    expect(body.drivers.map((d: { id: string }) => d.id).sort()).toEqual([...openAtAsOf].sort());
    for (const d of body.drivers) expect(d).toMatchObject({ stage: 'proposal', amount: 1000, probability: 0.5, expected: 500, ageBucket: '0–29 days' });
    const rows = Object.fromEntries(body.backtest.rows.map((r: { method: string }) => [r.method, r]));
    expect(rows.pipeline).toMatchObject({ mase: 0, coverage95: 1, origins: 11 });
  });

  it('when asOf is mid-month, then the open deals count at what same-day snapshots say is left of a month', async () => {
    const body = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-15&horizon=1&method=pipeline', tokenA));
    // On the 15th of earlier months no deal was open (they were created on the 20th and closed on the
    // 10th), so nothing teaches that an open deal closes in the rest of a month: 'Later' (50,000,
    // open since the 5th) adds nothing. First-of-month snapshots would have said 1/2 (25,000).
    expect(body.periods[0]).toMatchObject({ period: '2025-01', closedToDate: 4000, components: { closedToDate: 4000, openPipeline: 0 } });
    expect(body.basis.openDeals).toBe(1);
  });

  it('when auto forecasts as of a date, then the engine’s methods, pipeline and hybrid are backtested on the same origins', async () => {
    const body = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-01&horizon=3', tokenA));
    const rows = Object.fromEntries(body.backtest.rows.map((r: { method: string }) => [r.method, r]));
    expect(Object.keys(rows)).toEqual(['ets', 'theta', 'seasonal_naive', 'combination', 'pipeline', 'hybrid']);
    // Origins from month 13 on (seasonal naive needs a year of history): 11 of the 24 months.
    for (const m of Object.keys(rows)) expect(rows[m].origins, m).toBe(11);
    expect(['timeseries', 'pipeline', 'hybrid']).toContain(body.method);
    expect(body.reason).toContain('11-origin rolling backtest');
    expect(body.periods[0].point).toBeCloseTo(2000, 0);
  });

  it('when filtered by a region none of the deals has, then the pipeline method has nothing to learn and says so', async () => {
    const body = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-01&horizon=3&method=pipeline&region=Nowhere', tokenA));
    expect(body.method).toBe('timeseries');
    expect(body.reason).toMatch(/^the pipeline method was requested, but there is no open deal in the stage history before asOf/);
    expect(body.drivers).toEqual([]);
  });

  it('when the open pipeline is listed, then it is weighted by stage and by learned probability', async () => {
    const body = await json(await f.get('/api/v1/sales/pipeline', tokenB));
    const base = 9 / 14;
    const negotiation = (3 + 10 * base) / 14;
    expect(body.byStage).toEqual([
      { stage: 'prospecting', deals: 1, amount: 0, weightedByStageProbability: 0, learnedWinProbability: round4(base), weightedByLearnedProbability: 0, dealsWithoutAmount: 1 },
      { stage: 'qualification', deals: 1, amount: 1000, weightedByStageProbability: 200, learnedWinProbability: round4(base), weightedByLearnedProbability: 642.86, dealsWithoutAmount: 0 },
      { stage: 'proposal', deals: 1, amount: 10_000, weightedByStageProbability: 5000, learnedWinProbability: round4(base), weightedByLearnedProbability: 6428.57, dealsWithoutAmount: 0 },
      { stage: 'negotiation', deals: 1, amount: 20_000, weightedByStageProbability: 15_000, learnedWinProbability: round4(negotiation), weightedByLearnedProbability: 13_469.39, dealsWithoutAmount: 0 },
    ]);
    expect(body.totals).toEqual({ deals: 4, amount: 31_000, weightedByStageProbability: 20_200, weightedByLearnedProbability: 20_540.82 });
    expect(body.byForecastCategory).toEqual([
      { category: 'commit', deals: 1, amount: 20_000, weightedByStageProbability: 15_000 },
      { category: 'best_case', deals: 1, amount: 10_000, weightedByStageProbability: 5000 },
      { category: 'pipeline', deals: 2, amount: 1000, weightedByStageProbability: 200 },
      { category: 'omitted', deals: 0, amount: 0, weightedByStageProbability: 0 },
    ]);
    expect(body.slipping.deals).toBe(1);
    expect(body.slipping.largest[0]).toMatchObject({ name: 'O2', originalCloseDate: ago(20), closeDate: quarterEnd, timesMoved: 1 });
    expect(body.overdue).toEqual({ deals: 1, amount: 1000 });
    expect(body.aging.map((a: { deals: number; amount: number }) => [a.deals, a.amount])).toEqual([[1, 10_000], [1, 20_000], [0, 0], [1, 1000], [0, 0], [1, 0]]);
    expect(body.coverage).toMatchObject({ closedWonToDate: 0, openPipelineClosingInPeriod: 30_000, openDealsClosingInPeriod: 2, end: quarterEnd });
    const { remainingToForecast, ratio } = body.coverage;
    expect(ratio).toBe(remainingToForecast > 0 ? round4(30_000 / remainingToForecast) : null);
  });

  it('when win rates are grouped by stage, then each stage counts the closed deals that reached it', async () => {
    const body = await json(await f.get('/api/v1/sales/win-rates?groupBy=stage', tokenB));
    expect(body.overall).toMatchObject({ sampleSize: 14, won: 9, lost: 5, winRate: round4(9 / 14) });
    const byStage = Object.fromEntries(body.groups.map((g: { group: string }) => [g.group, g]));
    expect(byStage.proposal).toMatchObject({ sampleSize: 14, won: 9, lost: 5, winRate: 0.6429, medianDaysToWin: 30, medianDaysToClose: 30, open: 1 });
    expect(byStage.negotiation).toMatchObject({ sampleSize: 4, won: 3, lost: 1, winRate: 0.75, medianDaysToWin: 35, medianDaysToClose: 35, open: 1 });
    expect(byStage.qualification).toMatchObject({ sampleSize: 0, winRate: null, open: 1 });
    expect(byStage.prospecting).toMatchObject({ sampleSize: 0, winRate: null, open: 1 });
  });

  it('when win rates are grouped by owner, then each owner has its sample and median days', async () => {
    const body = await json(await f.get('/api/v1/sales/win-rates?groupBy=owner', tokenB));
    const byOwner = Object.fromEntries(body.groups.map((g: { group: string }) => [g.group, g]));
    expect(byOwner.ann).toMatchObject({ sampleSize: 10, won: 6, winRate: 0.6, medianDaysToClose: 30, wonAmount: 600 });
    expect(byOwner.bob).toMatchObject({ sampleSize: 4, won: 3, winRate: 0.75, medianDaysToClose: 40 });
    expect(byOwner.null).toMatchObject({ sampleSize: 0, open: 4 });
  });

  it('when a deal is added to the history before asOf, then the forecast sees it as soon as the change is heard (cached snapshots are refreshed)', async () => {
    const before = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-01&horizon=3&method=pipeline', tokenA));
    await db.deals(f.tenantA, [{ name: 'Backfilled', amount: 1000, stage: 'proposal', closeDate: '2025-01-20', createdAt: '2024-12-22T09:00:00Z' }]);
    // Written straight to Postgres, as another instance would: this one hears of it by NOTIFY, a
    // moment after the commit (under CI's load, after the next request had been answered once).
    let after = before;
    await expect
      .poll(async () => (after = await json(await f.get('/api/v1/sales/forecast?asOf=2025-01-01&horizon=3&method=pipeline', tokenA))).basis.openDeals, { timeout: 5_000 })
      .toBe(before.basis.openDeals + 1);
    expect(after.periods[0].components.openPipeline).toBe(before.periods[0].components.openPipeline + 500);
  });

  it('when win rates are grouped by an unknown dimension, then 400', async () => {
    const response = await f.get('/api/v1/sales/win-rates?groupBy=planet', tokenB);
    expect(response.status).toBe(400);
    expect((await json(response)).issues[0].path).toBe('query.groupBy');
  });
});

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
