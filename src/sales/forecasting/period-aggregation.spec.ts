import { describe, expect, it } from 'vitest';
import { monthIndex } from '../shared/periods.js';
import { aggregatePeriods, correlatedSum, monthsNeeded } from './period-aggregation.js';

const flat = (point: number[], half: number) => ({
  point,
  lower80: point.map((p) => p - half),
  upper80: point.map((p) => p + half),
  lower95: point.map((p) => p - 2 * half),
  upper95: point.map((p) => p + 2 * half),
});

describe('period aggregation', () => {
  it('when asOf is in the middle month of a quarter, then the first quarter needs two months and each later one three', () => {
    expect(monthsNeeded(monthIndex('2025-05-10'), 'quarter', 1)).toBe(2);
    expect(monthsNeeded(monthIndex('2025-05-10'), 'quarter', 3)).toBe(8);
    expect(monthsNeeded(monthIndex('2025-05-10'), 'month', 4)).toBe(4);
  });

  it('when months are summed into a quarter, then the booked part is added and the band grows with correlated months', () => {
    const asOfMonth = monthIndex('2025-05-10');
    const actuals = new Map([[monthIndex('2025-04-01'), 700], [asOfMonth, 50]]);
    const [q2, q3] = aggregatePeriods({ asOfMonth, interval: 'quarter', horizon: 2, monthly: flat([100, 200, 300, 400, 500], 10), actuals });
    expect(q2).toMatchObject({ period: '2025-Q2', start: '2025-04-01', end: '2025-06-30', closedToDate: 750, point: 750 + 100 + 200 });
    // Bounds are rounded to cents.
    expect(q2.upper80 - q2.point).toBeCloseTo(Math.sqrt(10 ** 2 * 2 + 2 * 0.5 * 100), 1);
    expect(q3).toMatchObject({ period: '2025-Q3', closedToDate: 0, point: 1200 });
    expect(q3.upper95 - q3.point).toBeCloseTo(correlatedSum([20, 20, 20]), 1);
  });

  it('when the lower bound would fall below what is already booked, then it stops there', () => {
    const asOfMonth = monthIndex('2025-05-10');
    const [period] = aggregatePeriods({ asOfMonth, interval: 'month', horizon: 1, monthly: flat([10], 1000), actuals: new Map([[asOfMonth, 50]]) });
    expect(period).toMatchObject({ point: 60, lower80: 50, lower95: 50 });
  });

  it('when correlated half-widths are summed, then the result lies between independence and perfect correlation', () => {
    expect(correlatedSum([3])).toBe(3);
    const s = correlatedSum([1, 1, 1, 1]);
    expect(s).toBeGreaterThan(2);
    expect(s).toBeLessThan(4);
    expect(s).toBeCloseTo(Math.sqrt(4 + 12 * 0.5), 12);
  });
});
