/**
 * Rolling-origin evaluation (Tashman 2000): for each origin o the methods see only y[0..o)
 * and forecast y[o..o+H); errors from all origins and horizons are pooled per method.
 */
import { maseScale, smapeTerm } from './accuracy.js';
import { Z95, type IntervalForecast } from './forecast-types.js';

/** Forecasts of every method from one training window, keyed by method name. */
export type MultiForecaster = (train: readonly number[], horizon: number) => Record<string, IntervalForecast>;

export interface BacktestOptions {
  /** Training lengths (the origin is the first held-out index), ascending. */
  origins: number[];
  horizon: number;
  seasonLength: number;
}

export interface BacktestMetrics {
  mase: number;
  smape: number;
  coverage80: number;
  coverage95: number;
  /** Origins at which the method produced a forecast. */
  origins: number;
  /** Number of (origin, step) errors pooled into the metrics. */
  errors: number;
  /**
   * Root mean square of errors divided by the 95% interval's implied standard error:
   * about 1 for calibrated intervals, above 1 when they are too narrow.
   */
  intervalRatio: number;
}

interface Accumulator {
  scaledAbs: number;
  smape: number;
  in80: number;
  in95: number;
  zSq: number;
  zCount: number;
  errors: number;
  origins: number;
}

/** The last `count` origins, keeping at least `minTrain` points in every training window. */
export function lastOrigins(n: number, count: number, minTrain: number): number[] {
  const first = Math.max(minTrain, n - count);
  const out: number[] = [];
  for (let o = first; o < n; o++) out.push(o);
  return out;
}

export function rollingOriginBacktest(
  y: readonly number[],
  forecaster: MultiForecaster,
  opts: BacktestOptions,
): Record<string, BacktestMetrics> {
  const acc: Record<string, Accumulator> = {};
  for (const origin of opts.origins) {
    const train = y.slice(0, origin);
    const actual = y.slice(origin, origin + opts.horizon);
    if (actual.length === 0) continue;
    const scale = maseScale(train, opts.seasonLength);
    const forecasts = forecaster(train, actual.length);
    for (const [name, fc] of Object.entries(forecasts)) {
      acc[name] ??= { scaledAbs: 0, smape: 0, in80: 0, in95: 0, zSq: 0, zCount: 0, errors: 0, origins: 0 };
      accumulate(acc[name], actual, fc, scale);
    }
  }
  const out: Record<string, BacktestMetrics> = {};
  for (const [name, a] of Object.entries(acc)) out[name] = summarise(a);
  return out;
}

function accumulate(a: Accumulator, actual: number[], fc: IntervalForecast, scale: number): void {
  a.origins++;
  actual.forEach((v, j) => {
    const err = v - fc.point[j];
    a.scaledAbs += Math.abs(err) / scale;
    a.smape += smapeTerm(v, fc.point[j]);
    if (v >= fc.lower80[j] && v <= fc.upper80[j]) a.in80++;
    if (v >= fc.lower95[j] && v <= fc.upper95[j]) a.in95++;
    const se = (fc.upper95[j] - fc.lower95[j]) / (2 * Z95);
    if (se > 0) {
      a.zSq += (err / se) ** 2;
      a.zCount++;
    }
    a.errors++;
  });
}

function summarise(a: Accumulator): BacktestMetrics {
  const n = Math.max(1, a.errors);
  return {
    mase: a.scaledAbs / n,
    smape: a.smape / n,
    coverage80: a.in80 / n,
    coverage95: a.in95 / n,
    origins: a.origins,
    errors: a.errors,
    intervalRatio: a.zCount > 0 ? Math.sqrt(a.zSq / a.zCount) : 1,
  };
}
