/**
 * Seasonal naive (each month repeats the same month of the last year), falling back to the
 * naive forecast (last value carried forward) when there is not yet a full season plus one.
 * Intervals as R's snaive/naive: σ is the root mean square of the in-sample lag differences,
 * and the standard error grows with √(k + 1), k = number of complete seasons before step h.
 */
import { normalIntervals, seasonalIndex, type IntervalForecast } from './forecast-types.js';

export interface NaiveForecast extends IntervalForecast {
  /** The lag actually used: m for seasonal naive, 1 for naive. */
  lag: number;
}

export function seasonalNaiveForecast(y: readonly number[], h: number, m: number): NaiveForecast {
  const n = y.length;
  const lag = m > 1 && n > m ? m : 1;
  const point: number[] = [];
  for (let j = 1; j <= h; j++) point.push(n === 0 ? 0 : y[seasonalIndex(n, j, lag)]);
  const sigma = residualRms(y, lag);
  const se = point.map((_, j) => sigma * Math.sqrt(Math.floor(j / lag) + 1));
  return { ...normalIntervals(point, se), lag };
}

/**
 * RMS of y_t − y_{t−lag}. With a single observation there is nothing to measure, so we use
 * half its magnitude: an openly arbitrary but wide band beats a zero-width interval.
 */
export function residualRms(y: readonly number[], lag: number): number {
  let sum = 0;
  let count = 0;
  for (let t = lag; t < y.length; t++) {
    sum += (y[t] - y[t - lag]) ** 2;
    count++;
  }
  if (count === 0) return Math.abs(y[0] ?? 0) * 0.5;
  return Math.sqrt(sum / count);
}
