import { describe, expect, it } from 'vitest';
import { AIR_PASSENGERS, R_SNAIVE } from './air-passengers.fixture.js';
import { residualRms, seasonalNaiveForecast } from './seasonal-naive.js';

describe('seasonalNaiveForecast', () => {
  it("when forecasting AirPassengers 24 months, then σ and bounds match R's snaive", () => {
    expect(residualRms(AIR_PASSENGERS, 12)).toBeCloseTo(R_SNAIVE.sigma, 9);
    const fc = seasonalNaiveForecast(AIR_PASSENGERS, 24, 12);
    expect(fc.point.slice(0, 12)).toEqual(AIR_PASSENGERS.slice(-12));
    expect(fc.lower80[0]).toBeCloseTo(R_SNAIVE.lower80h1, 6);
    // Second year: one complete season elapsed, so the standard error grows by √2.
    expect(fc.upper95[12]).toBeCloseTo(R_SNAIVE.upper95h13, 6);
  });

  it('when a season repeats exactly, then the forecast is exact with zero width', () => {
    const season = [3, 5, 8, 13, 21, 34, 55, 34, 21, 13, 8, 5];
    const y = [...season, ...season, ...season];
    const fc = seasonalNaiveForecast(y, 12, 12);
    expect(fc.point).toEqual(season);
    expect(fc.upper95).toEqual(season);
  });

  it('when the history is shorter than a season plus one, then it falls back to naive', () => {
    const fc = seasonalNaiveForecast([10, 12, 11, 15], 3, 12);
    expect(fc.lag).toBe(1);
    expect(fc.point).toEqual([15, 15, 15]);
    expect(fc.upper80[2] - fc.point[2]).toBeGreaterThan(fc.upper80[0] - fc.point[0]);
  });
});
