/** Point forecasts with central 80% and 95% prediction intervals, one entry per step ahead. */
export interface IntervalForecast {
  point: number[];
  lower80: number[];
  upper80: number[];
  lower95: number[];
  upper95: number[];
}

/** Standard normal quantiles for central 80% and 95% intervals (qnorm(0.9), qnorm(0.975)). */
export const Z80 = 1.2815515655446004;
export const Z95 = 1.959963984540054;

/** Builds symmetric normal intervals from per-step standard errors. */
export function normalIntervals(point: number[], se: number[]): IntervalForecast {
  return {
    point: [...point],
    lower80: point.map((p, i) => p - Z80 * se[i]),
    upper80: point.map((p, i) => p + Z80 * se[i]),
    lower95: point.map((p, i) => p - Z95 * se[i]),
    upper95: point.map((p, i) => p + Z95 * se[i]),
  };
}

/** Repeats the last seasonal cycle forward: index for step h (1-based) of a series of length n. */
export function seasonalIndex(n: number, h: number, m: number): number {
  // The observation one full season (or k seasons) before n+h, always inside the history.
  const k = Math.floor((h - 1) / m) + 1;
  return n + h - 1 - k * m;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
