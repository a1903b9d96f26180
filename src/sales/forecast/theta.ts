/**
 * The standard Theta method (Assimakopoulos & Nikolopoulos 2000) in the form of R's
 * `forecast::thetaf`: by Hyndman & Billah (2003) it equals simple exponential smoothing with
 * a drift of half the slope of a linear trend, applied to seasonally adjusted data.
 */
import { isSeasonalAcfTest, seasonalFigure } from './classical-decomposition.js';
import { linearFit } from './ets-init.js';
import { normalIntervals, type IntervalForecast } from './forecast-types.js';
import { fitEtsModel, forecastEts } from './holt-winters.js';

export interface ThetaForecast extends IntervalForecast {
  /** Whether the 90% ACF test found seasonality and the series was seasonally adjusted. */
  seasonal: boolean;
  alpha: number;
  /** Drift added per step: half the slope of the linear trend of the adjusted series. */
  drift: number;
}

/** Smallest series the SES fit inside Theta accepts (2 parameters + R's margin of 4). */
export const THETA_MIN_LENGTH = 7;

export function thetaForecast(y: readonly number[], h: number, m: number): ThetaForecast | null {
  const n = y.length;
  if (n < THETA_MIN_LENGTH) return null;
  const { adjusted, indexAt, seasonal } = seasonallyAdjust(y, m);
  const ses = fitEtsModel(adjusted, { error: 'A', trend: 'N', season: 'N', m: 1 });
  if (!ses) return null;
  const alpha = Math.max(1e-10, ses.params.alpha);
  const drift = linearFit(adjusted).slope / 2;
  const base = forecastEts(ses, h).point;
  // thetaf's drift term: b/2 · (j − 1 + (1 − (1 − α)^n) / α) for step j.
  const tail = (1 - (1 - alpha) ** n) / alpha;
  const point = base.map((p, j) => indexAt(n + j, p + drift * (j + tail)));
  // As thetaf: the standard errors come from SES on the adjusted series, not reseasonalised.
  const se = point.map((_, j) => Math.sqrt(ses.sigma2 * (j * alpha * alpha + 1)));
  return { ...normalIntervals(point, se), seasonal, alpha, drift };
}

interface Adjusted {
  adjusted: number[];
  /** Puts the seasonal pattern back onto a value for time index t. */
  indexAt: (t: number, value: number) => number;
  seasonal: boolean;
}

/**
 * Classical multiplicative adjustment when the ACF test says seasonal (as thetaf). A series
 * with zero or negative months cannot be divided by seasonal indices, so it gets the
 * additive decomposition instead — a deliberate deviation that keeps revenue with empty
 * months from producing infinite forecasts.
 */
function seasonallyAdjust(y: readonly number[], m: number): Adjusted {
  const none: Adjusted = { adjusted: [...y], indexAt: (_t, v) => v, seasonal: false };
  if (!isSeasonalAcfTest(y, m)) return none;
  if (y.every((v) => v > 0)) {
    const figure = seasonalFigure(y, m, 'multiplicative');
    if (figure.some((s) => !(Math.abs(s) > 1e-10))) return none;
    return {
      adjusted: y.map((v, t) => v / figure[t % m]),
      indexAt: (t, v) => v * figure[t % m],
      seasonal: true,
    };
  }
  const figure = seasonalFigure(y, m, 'additive');
  return {
    adjusted: y.map((v, t) => v - figure[t % m]),
    indexAt: (t, v) => v + figure[t % m],
    seasonal: true,
  };
}
