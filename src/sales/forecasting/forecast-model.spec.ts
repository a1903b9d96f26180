import { describe, expect, it } from 'vitest';
import { maseScale } from '../forecast/accuracy.js';
import { RETAIL_REGIONS, RETAIL_SEGMENTS, retailHistory } from '../../../test/helpers/sales-retail.js';
import { runForecastModel, type MonthFacts } from './forecast-model.js';

const M0 = 2014 * 12;
/** Months up to and including `upto` (that one empty: asOf is its first day). */
const facts = (y: readonly number[], upto: number): MonthFacts[] => y.slice(0, upto + 1).map((revenue, i) => ({ month: M0 + i, revenue: i === upto ? 0 : revenue, deals: 1 }));
const asOf = (t: number) => `${2014 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}-01`;

describe('runForecastModel', () => {
  it('when six generated retail histories are forecast through their last year, then auto beats seasonal naive on MASE for the total, each region and each segment', () => {
    const errors: Record<string, { auto: number; naive: number }> = {};
    for (let seed = 1; seed <= 6; seed++) {
      const d = retailHistory(seed * 7919);
      const series: [string, number[], number[] | null][] = [
        ['total', d.monthly.total, null],
        ...RETAIL_REGIONS.map((r): [string, number[], number[]] => ['regions', d.monthly.byRegion[r], d.monthly.total]),
        ...RETAIL_SEGMENTS.map((s): [string, number[], number[]] => ['segments', d.monthly.bySegment[s], d.monthly.total]),
      ];
      for (const [level, y, total] of series) {
        for (const t of [37, 41]) {
          const out = runForecastModel({ requested: 'auto', interval: 'month', horizon: 3, asOf: asOf(t), months: facts(y, t), reference: total && facts(total, t), cells: [] });
          const scale = maseScale(y.slice(0, t), 12);
          const e = (errors[level] ??= { auto: 0, naive: 0 });
          out.periods.forEach((p, j) => {
            e.auto += Math.abs(y[t + j] - p.point) / scale;
            e.naive += Math.abs(y[t + j] - y[t + j - 12]) / scale;
          });
        }
      }
    }
    for (const [level, e] of Object.entries(errors)) expect(e.auto, level).toBeLessThan(e.naive);
  }, 60_000);

  it('when a filtered series is forecast, then the blend’s seasonality is pooled from the reference and the rows say so', () => {
    const d = retailHistory(11);
    const out = runForecastModel({ requested: 'timeseries', interval: 'quarter', horizon: 2, asOf: '2017-02-15', months: facts(d.monthly.byRegion.South, 37), reference: facts(d.monthly.total, 37), cells: [] });
    expect(out.selection.rows.find((r) => r.method === 'decomposition')?.label).toContain('seasonality of all the tenant’s deals');
    expect(out.periods.map((p) => p.period)).toEqual(['2017-Q1', '2017-Q2']);
    // January is booked; February counts from the 15th on (14 of its 28 days remain).
    expect(out.periods[0].closedToDate).toBeCloseTo(d.monthly.byRegion.South[36], 1);
  });

  it('when there are fewer than 13 months, then the naive floor is used and no backtest is claimed', () => {
    const out = runForecastModel({ requested: 'auto', interval: 'month', horizon: 2, asOf: '2014-11-01', months: facts([5, 6, 7, 8, 9, 10, 11, 12, 13, 14], 10), reference: null, cells: [] });
    expect(out.selection).toMatchObject({ method: 'timeseries', candidate: 'naive', rows: [] });
    expect(out.periods.map((p) => p.point)).toEqual([14, 14]);
  });
});
