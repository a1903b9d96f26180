import { describe, expect, it } from 'vitest';
import { lastOrigins, rollingOriginBacktest } from './backtest.js';
import { seasonalNaiveForecast } from './seasonal-naive.js';

describe('rolling-origin backtest', () => {
  it('when asking for the last 12 origins with a minimum window, then the windows respect it', () => {
    expect(lastOrigins(48, 12, 26)).toEqual([36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47]);
    expect(lastOrigins(30, 12, 26)).toEqual([26, 27, 28, 29]);
    expect(lastOrigins(20, 12, 26)).toEqual([]);
  });

  it('when the season repeats exactly, then seasonal naive has MASE 0 and full coverage', () => {
    const season = [10, 12, 15, 11, 9, 20, 25, 24, 18, 14, 12, 30];
    const y = [...season, ...season, ...season, ...season];
    const res = rollingOriginBacktest(y, (train, h) => ({ snaive: seasonalNaiveForecast(train, h, 12) }), {
      origins: lastOrigins(y.length, 12, 24),
      horizon: 6,
      seasonLength: 12,
    });
    expect(res.snaive.mase).toBe(0);
    expect(res.snaive.smape).toBe(0);
    expect(res.snaive.coverage95).toBe(1);
    expect(res.snaive.origins).toBe(12);
    // 6 steps from each of the first 7 origins, then 5, 4, 3, 2, 1.
    expect(res.snaive.errors).toBe(6 * 7 + 5 + 4 + 3 + 2 + 1);
  });

  it('when a method is biased, then its MASE is the bias over the in-sample naive MAE', () => {
    const y = Array.from({ length: 20 }, (_, t) => t); // naive MAE (lag 1) = 1
    const biased = (train: readonly number[], h: number) => {
      const point = Array.from({ length: h }, (_, j) => train.length + j + 2);
      return { biased: { point, lower80: point, upper80: point, lower95: point, upper95: point } };
    };
    const res = rollingOriginBacktest(y, biased, { origins: [15, 16], horizon: 3, seasonLength: 1 });
    expect(res.biased.mase).toBeCloseTo(2, 12);
    expect(res.biased.coverage80).toBe(0);
  });
});
