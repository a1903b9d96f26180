/** Forecast accuracy measures used to compare methods (Hyndman & Koehler 2006; M4). */

/**
 * MASE scale: in-sample MAE of the seasonal naive forecast (lag m), or of the naive forecast
 * (lag 1) when the series is shorter than m + 1. A perfectly repeating series has a zero
 * seasonal scale, so we fall back to lag 1 and then to the mean level: MASE must stay finite.
 */
export function maseScale(insample: readonly number[], m: number): number {
  const lags = insample.length > m && m > 1 ? [m, 1] : [1];
  for (const lag of lags) {
    const mae = meanAbsDiff(insample, lag);
    if (mae > 1e-12) return mae;
  }
  const level = insample.reduce((a, v) => a + Math.abs(v), 0) / Math.max(1, insample.length);
  return level > 1e-12 ? level : 1;
}

function meanAbsDiff(y: readonly number[], lag: number): number {
  let sum = 0;
  let count = 0;
  for (let t = lag; t < y.length; t++) {
    sum += Math.abs(y[t] - y[t - lag]);
    count++;
  }
  return count > 0 ? sum / count : 0;
}

/** Mean absolute error scaled by `scale` (see maseScale). */
export function mase(actual: readonly number[], forecast: readonly number[], scale: number): number {
  const n = Math.min(actual.length, forecast.length);
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(actual[i] - forecast[i]);
  return sum / n / scale;
}

/** Symmetric MAPE in percent (0–200), M4 definition; a 0/0 term counts as a perfect 0. */
export function smape(actual: readonly number[], forecast: readonly number[]): number {
  const n = Math.min(actual.length, forecast.length);
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += smapeTerm(actual[i], forecast[i]);
  return sum / n;
}

export function smapeTerm(actual: number, forecast: number): number {
  const denom = Math.abs(actual) + Math.abs(forecast);
  return denom === 0 ? 0 : (200 * Math.abs(actual - forecast)) / denom;
}

/** Share of actual values inside [lower, upper]. */
export function coverage(actual: readonly number[], lower: readonly number[], upper: readonly number[]): number {
  const n = Math.min(actual.length, lower.length, upper.length);
  if (n === 0) return 0;
  let inside = 0;
  for (let i = 0; i < n; i++) if (actual[i] >= lower[i] && actual[i] <= upper[i]) inside++;
  return inside / n;
}
