import { describe, expect, it } from 'vitest';
import { forecastSeries, type ForecastResult } from './forecast-engine.js';
import { createNormalRng } from './prng.js';

const SEASON = [0.8, 0.75, 0.9, 0.95, 1, 1.05, 1, 0.95, 1, 1.05, 1.2, 1.45];

/** 48 months of retail-like revenue: seasonal, noisy, +20% over the last year. */
function retailHistory(seed: number, base: number, noise: number): number[] {
  const z = createNormalRng(seed);
  return Array.from({ length: 48 }, (_, t) => {
    const growth = t < 36 ? 1 + (0.03 * t) / 12 : 1.09 * (1 + (0.2 * (t - 35)) / 12);
    return Math.max(0, Math.round(base * growth * SEASON[t % 12] * (1 + noise * z())));
  });
}

function allNumbers(result: ForecastResult): number[] {
  const nums: number[] = [];
  JSON.stringify(result, (_k, v: unknown) => {
    if (typeof v === 'number') nums.push(v);
    return v;
  });
  return nums;
}

describe('forecastSeries', () => {
  it('when a 48-month retail history is forecast, then a backtested method is chosen and explained', () => {
    const result = forecastSeries(retailHistory(1, 20000, 0.1), { horizon: 12 });
    expect(result.forecast).toHaveLength(12);
    expect(result.backtest.map((r) => r.method)).toEqual(['ets', 'theta', 'seasonal_naive', 'combination']);
    result.backtest.forEach((row) => expect(row.origins).toBe(12));
    expect(result.reason).toContain('12-origin rolling backtest');
    expect(result.reason).toContain(result.model);
    expect(result.history.monthsUsed).toBe(48);
    expect(result.history.seasonalModelsFitted).toBe(true);
    expect(result.history.lastYearGrowth).toBeGreaterThan(0.1);
    for (const s of result.forecast) {
      expect(s.lower95).toBeLessThanOrEqual(s.lower80);
      expect(s.lower80).toBeLessThanOrEqual(s.point);
      expect(s.point).toBeLessThanOrEqual(s.upper80);
      expect(s.upper80).toBeLessThanOrEqual(s.upper95);
    }
  });

  it('when the history is only 9 months, then it warns and falls back to naive', () => {
    const result = forecastSeries([120, 130, 125, 140, 150, 145, 160, 155, 170], { horizon: 6 });
    expect(result.method).toBe('naive');
    expect(result.warnings).toContain('only 9 months of history: seasonal models not fitted; using naive');
    expect(result.forecast.map((s) => s.point)).toEqual(new Array(6).fill(170));
    expect(result.forecast[5].upper95 - result.forecast[5].lower95).toBeGreaterThan(
      result.forecast[0].upper95 - result.forecast[0].lower95,
    );
  });

  it('when the history is 20 months, then seasonal ETS is skipped with a warning', () => {
    const result = forecastSeries(retailHistory(2, 1000, 0.1).slice(0, 20), { horizon: 6 });
    expect(result.history.seasonalModelsFitted).toBe(false);
    expect(result.warnings.some((w) => w.includes('seasonal ETS models need 26'))).toBe(true);
    expect(result.backtest[0].label).toMatch(/^ETS\(.,.+,N\)$/);
  });

  it('when the backtest has too few origins, then it says so and uses the combination', () => {
    const result = forecastSeries(retailHistory(3, 1000, 0.1).slice(0, 30), { horizon: 12 });
    expect(result.method).toBe('combination');
    expect(result.reason).toContain('too few to rank');
    expect(result.warnings.some((w) => w.includes('only 4 backtest origin(s)'))).toBe(true);
  });

  it('when a season repeats exactly, then seasonal naive scores MASE 0 and the forecast is the season', () => {
    const season = [10, 12, 15, 11, 9, 20, 25, 24, 18, 14, 12, 30].map((v) => v * 1000);
    const result = forecastSeries([...season, ...season, ...season, ...season], { horizon: 12 });
    expect(result.backtest.find((r) => r.method === 'seasonal_naive')?.mase).toBe(0);
    result.forecast.forEach((s, j) => expect(Math.abs(s.point / season[j] - 1)).toBeLessThan(0.01));
  });

  it('when the series is constant, then the forecast is flat with near-zero width', () => {
    const result = forecastSeries(new Array(36).fill(500), { horizon: 12 });
    for (const s of result.forecast) {
      expect(s.point).toBeCloseTo(500, 4);
      expect(s.upper95 - s.lower95).toBeLessThan(1e-3);
    }
  });

  it('when ETS is requested on a linear trend, then it forecasts the line', () => {
    const y = Array.from({ length: 36 }, (_, t) => 1000 + 25 * t);
    const result = forecastSeries(y, { horizon: 6, method: 'ets' });
    expect(result.method).toBe('ets');
    expect(result.reason).toContain('was requested');
    result.forecast.forEach((s, j) => expect(Math.abs(s.point / (1000 + 25 * (36 + j)) - 1)).toBeLessThan(0.01));
  });

  it('when the series has zeros, gaps and tiny months, then every number is finite and nothing is negative', () => {
    const y: number[] = retailHistory(4, 40, 0.6).map((v, t) => (t % 7 === 3 ? 0 : v));
    y[10] = Number.NaN;
    const result = forecastSeries(y, { horizon: 12 });
    expect(allNumbers(result).every(Number.isFinite)).toBe(true);
    result.forecast.forEach((s) => expect(s.lower95).toBeGreaterThanOrEqual(0));
    expect(result.history.nonFiniteReplaced).toBe(1);
    expect(result.history.zeros).toBeGreaterThan(0);
  });

  it('when the history starts with empty months, then they are trimmed and reported', () => {
    const result = forecastSeries([0, 0, 0, ...retailHistory(5, 3000, 0.1).slice(0, 40)], { horizon: 3 });
    expect(result.history.leadingZerosTrimmed).toBe(3);
    expect(result.history.monthsUsed).toBe(40);
  });

  it('when the history is all zeros, then it forecasts zero with a warning', () => {
    const result = forecastSeries(new Array(24).fill(0), { horizon: 4 });
    expect(result.forecast.every((s) => s.point === 0 && s.upper95 === 0)).toBe(true);
    expect(result.warnings).toContain('no revenue history: forecasting zero');
  });

  it('when Theta is requested, then Theta is returned with its backtest score in the reason', () => {
    const result = forecastSeries(retailHistory(6, 5000, 0.15), { horizon: 12, method: 'theta' });
    expect(result.method).toBe('theta');
    expect(result.reason).toMatch(/^Theta was requested; in a 12-origin rolling backtest its MASE was \d+\.\d\d/);
  });

  it('when the horizon is not a positive integer, then it throws a RangeError', () => {
    expect(() => forecastSeries([1, 2, 3], { horizon: 0 })).toThrow(RangeError);
    expect(() => forecastSeries([1, 2, 3], { horizon: 2.5 })).toThrow(RangeError);
  });

  it('when a caller listens to the backtest, then it sees each origin’s candidate forecasts, the same the metrics score', () => {
    const seen = new Map<number, number>();
    const result = forecastSeries(retailHistory(7, 4000, 0.1), {
      horizon: 3,
      onBacktestForecast: (origin, forecasts) => seen.set(origin, forecasts.seasonal_naive.point[0]),
    });
    expect([...seen.keys()]).toEqual([36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47]);
    const y = retailHistory(7, 4000, 0.1);
    // Seasonal naive at origin o forecasts month o with month o − 12.
    for (const [origin, first] of seen) expect(first).toBe(y[origin - 12]);
    expect(result.backtest.find((r) => r.method === 'seasonal_naive')?.origins).toBe(12);
  });
});
