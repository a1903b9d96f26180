import { describe, expect, it } from 'vitest';
import { AIR_PASSENGERS, R_ETS_AAA, R_ETS_MADM } from './air-passengers.fixture.js';
import { etsPointForecast, runEts, type EtsSpec } from './ets-core.js';
import { autoEts, buildFit, candidateSpecs, fitEtsModel, forecastEts } from './holt-winters.js';

const AAA: EtsSpec = { error: 'A', trend: 'A', season: 'A', m: 12 };
const MADM: EtsSpec = { error: 'M', trend: 'Ad', season: 'M', m: 12 };

const maxRelDiff = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v / b[i] - 1)));

describe('ETS recursions pinned to R forecast 8.20 on AirPassengers', () => {
  it("when R's ETS(A,A,A) parameters and initial states are used, then likelihood, AICc, σ² and forecasts equal R's", () => {
    const fit = buildFit(AIR_PASSENGERS, AAA, R_ETS_AAA.params, R_ETS_AAA.init)!;
    expect(fit.loglik).toBeCloseTo(R_ETS_AAA.loglik, 6);
    expect(fit.aicc).toBeCloseTo(R_ETS_AAA.aicc, 6);
    expect(fit.sigma2).toBeCloseTo(R_ETS_AAA.sigma2, 6);
    const fc = forecastEts(fit, 12);
    fc.point.forEach((v, i) => expect(v).toBeCloseTo(R_ETS_AAA.mean[i], 5));
    // Analytic class-1 variance: identical to R's bounds.
    fc.lower80.forEach((v, i) => expect(v).toBeCloseTo(R_ETS_AAA.lower80[i], 5));
    fc.upper95.forEach((v, i) => expect(v).toBeCloseTo(R_ETS_AAA.upper95[i], 5));
  });

  it("when R's ETS(M,Ad,M) parameters are used, then likelihood and AICc equal R's and forecasts agree", () => {
    const fit = buildFit(AIR_PASSENGERS, MADM, R_ETS_MADM.params, R_ETS_MADM.init)!;
    expect(fit.loglik).toBeCloseTo(R_ETS_MADM.loglik, 6);
    expect(fit.aicc).toBeCloseTo(R_ETS_MADM.aicc, 6);
    expect(fit.sigma2).toBeCloseTo(R_ETS_MADM.sigma2, 9);
    const fc = forecastEts(fit, 12);
    // R reports the class-3 forecast mean (point + a variance correction); we report the point
    // forecast, which sits within 0.1% of it here.
    expect(maxRelDiff(fc.point, R_ETS_MADM.mean)).toBeLessThan(1e-3);
    // Our bounds are simulated (fixed seed), R's use an approximate variance: a few percent.
    expect(maxRelDiff(fc.lower95, R_ETS_MADM.lower95)).toBeLessThan(0.03);
    expect(maxRelDiff(fc.upper95, R_ETS_MADM.upper95)).toBeLessThan(0.03);
  });
});

describe('ETS estimation on AirPassengers', () => {
  it('when ETS(M,Ad,M) is estimated with all initial states, then its likelihood is no worse than R and forecasts within 2%', () => {
    const fit = fitEtsModel(AIR_PASSENGERS, MADM, { optimiseSeasonalStates: true })!;
    expect(fit.loglik).toBeGreaterThanOrEqual(R_ETS_MADM.loglik - 0.01);
    expect(maxRelDiff(forecastEts(fit, 12).point, R_ETS_MADM.mean)).toBeLessThan(0.02);
  });

  it("when ETS(A,A,A) is estimated, then its SSE is no worse than R's (R stops at a poorer optimum)", () => {
    const fit = fitEtsModel(AIR_PASSENGERS, AAA)!;
    const sse = fit.residuals.reduce((a, e) => a + e * e, 0);
    expect(sse).toBeLessThanOrEqual(R_ETS_AAA.sse);
  });

  it('when the model is selected automatically, then a multiplicative-season model wins with AICc no worse than R', () => {
    const fit = autoEts(AIR_PASSENGERS, { m: 12, seasonal: true })!;
    expect(fit.spec.season).toBe('M');
    expect(fit.aicc).toBeLessThanOrEqual(R_ETS_MADM.aicc + 10);
    expect(maxRelDiff(forecastEts(fit, 12).point, R_ETS_MADM.mean)).toBeLessThan(0.1);
  });
});

describe('ETS smoothing pinned to statsmodels test values (fpp oil and ausair data)', () => {
  // statsmodels/tsa/tests/test_holtwinters.py (TestHoltWinters.test_ses / test_holt), which
  // reproduces R forecast's ses()/holt() with initial = "simple".
  const oil = [446.6565229, 454.4733065, 455.662974, 423.6322388, 456.2713279, 440.5880501, 425.3325201,
    485.1494479, 506.0481621, 526.7919833, 514.268889, 494.2110193];
  const ausair = [17.5534, 21.8601, 23.8866, 26.9293, 26.8885, 28.8314, 30.0751, 30.9535, 30.1857, 31.5797,
    32.577569, 33.477398, 39.021581, 41.386432, 41.596552];

  it('when SES runs with alpha 0.2 and 0.6 from the first value, then the forecasts are 484.802468 and 501.837461', () => {
    const ann: EtsSpec = { error: 'A', trend: 'N', season: 'N', m: 1 };
    const expected: Record<number, number> = { 0.2: 484.802468, 0.6: 501.837461 };
    for (const alpha of [0.2, 0.6]) {
      const p = { alpha, beta: 0, gamma: 0, phi: 1 };
      const run = runEts(oil, ann, p, { level: oil[0], slope: 0, seasonal: [] })!;
      expect(etsPointForecast(run.final, oil.length, 1, ann, p)[0]).toBeCloseTo(expected[alpha], 5);
    }
  });

  it("when Holt runs with alpha 0.8, beta* 0.2 and simple initial states, then it matches statsmodels' forecasts", () => {
    const aan: EtsSpec = { error: 'A', trend: 'A', season: 'N', m: 1 };
    const p = { alpha: 0.8, beta: 0.8 * 0.2, gamma: 0, phi: 1 };
    const run = runEts(ausair, aan, p, { level: ausair[0], slope: ausair[1] - ausair[0], seasonal: [] })!;
    const fc = etsPointForecast(run.final, ausair.length, 5, aan, p);
    [43.76, 45.59, 47.43, 49.27, 51.1].forEach((v, i) => expect(fc[i]).toBeCloseTo(v, 2));
  });
});

describe('ETS on hand-built series', () => {
  it('when the series is an exact line, then Holt forecasts continue the line', () => {
    const y = Array.from({ length: 30 }, (_, t) => 100 + 5 * t);
    const fit = fitEtsModel(y, { error: 'A', trend: 'A', season: 'N', m: 1 })!;
    forecastEts(fit, 6).point.forEach((v, j) => expect(v).toBeCloseTo(100 + 5 * (30 + j), 1));
  });

  it('when the series is constant, then the forecast is flat with near-zero interval width', () => {
    const y = new Array(24).fill(250);
    const fc = forecastEts(fitEtsModel(y, { error: 'A', trend: 'N', season: 'N', m: 1 })!, 12);
    fc.point.forEach((v) => expect(v).toBeCloseTo(250, 6));
    fc.upper95.forEach((v, j) => expect(v - fc.lower95[j]).toBeLessThan(1e-3));
  });

  it('when a multiplicative model is forecast twice, then the simulated intervals are identical (fixed seed)', () => {
    const fit = buildFit(AIR_PASSENGERS, MADM, R_ETS_MADM.params, R_ETS_MADM.init)!;
    expect(forecastEts(fit, 12)).toEqual(forecastEts(fit, 12));
  });

  it('when the series has zeros, then no multiplicative model is a candidate', () => {
    const y = [5, 0, 7, 3, 9, 0, 4];
    expect(candidateSpecs(y, { m: 12, seasonal: true }).every((s) => s.error === 'A' && s.season !== 'M')).toBe(true);
  });

  it('when the series is too short for a model, then fitting returns null instead of throwing', () => {
    expect(fitEtsModel([1, 2, 3, 4, 5], { error: 'A', trend: 'Ad', season: 'N', m: 1 })).toBeNull();
  });
});
