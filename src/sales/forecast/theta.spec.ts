import { describe, expect, it } from 'vitest';
import { AIR_PASSENGERS, R_DECOMPOSE_FIGURE, R_THETAF } from './air-passengers.fixture.js';
import { isSeasonalAcfTest, seasonalFigure } from './classical-decomposition.js';
import { thetaForecast } from './theta.js';

describe('thetaForecast pinned to R thetaf on AirPassengers', () => {
  it("when decomposing multiplicatively, then the seasonal figure equals R's decompose()", () => {
    seasonalFigure(AIR_PASSENGERS, 12, 'multiplicative').forEach((v, i) => expect(v).toBeCloseTo(R_DECOMPOSE_FIGURE[i], 8));
  });

  it('when forecasting 12 months, then points and bounds match thetaf within 0.01%', () => {
    const fc = thetaForecast(AIR_PASSENGERS, 12, 12)!;
    expect(fc.seasonal).toBe(true);
    expect(fc.alpha).toBeCloseTo(R_THETAF.alpha, 2);
    fc.point.forEach((v, i) => expect(Math.abs(v / R_THETAF.mean[i] - 1)).toBeLessThan(1e-4));
    fc.lower80.forEach((v, i) => expect(Math.abs(v / R_THETAF.lower80[i] - 1)).toBeLessThan(1e-4));
    fc.upper95.forEach((v, i) => expect(Math.abs(v / R_THETAF.upper95[i] - 1)).toBeLessThan(1e-4));
  });
});

describe('thetaForecast on hand-built series', () => {
  it('when the series is a line, then it is not seasonal and the forecast keeps rising', () => {
    const y = Array.from({ length: 40 }, (_, t) => 50 + 2 * t);
    const fc = thetaForecast(y, 6, 12)!;
    expect(isSeasonalAcfTest(y, 12)).toBe(false);
    expect(fc.seasonal).toBe(false);
    for (let j = 1; j < 6; j++) expect(fc.point[j]).toBeGreaterThan(fc.point[j - 1]);
  });

  it('when the seasonal series has empty months, then it is adjusted additively and stays finite', () => {
    const pattern = [0, 10, 20, 40, 80, 60, 30, 20, 10, 5, 0, 15];
    const y = Array.from({ length: 48 }, (_, t) => pattern[t % 12] + (t % 5));
    const fc = thetaForecast(y, 12, 12)!;
    expect(fc.seasonal).toBe(true);
    [...fc.point, ...fc.lower95, ...fc.upper95].forEach((v) => expect(Number.isFinite(v)).toBe(true));
  });

  it('when there are fewer than 7 points, then it declines (returns null)', () => {
    expect(thetaForecast([1, 2, 3], 3, 12)).toBeNull();
  });
});
