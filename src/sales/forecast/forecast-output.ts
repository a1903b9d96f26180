/** Final shaping of a forecast: calibration against the backtest, clamping, NaN guards. */
import type { BacktestMetrics } from './backtest.js';
import type { IntervalForecast } from './forecast-types.js';

export interface ForecastStep {
  /** 1-based months ahead. */
  step: number;
  point: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

/** Widening is capped: a backtest of a dozen origins cannot justify more than this. */
const MAX_WIDENING = 3;

/**
 * Factor by which to widen intervals, from the backtest of the chosen method. Only clear
 * under-coverage triggers it (95% band holding < 90%, or 80% band < 70% of actuals), and the
 * factor is the RMS of errors over the implied standard error, so a calibrated method is
 * left untouched. Never narrows: few origins are weak evidence for overconfidence.
 */
export function wideningFactor(metrics: BacktestMetrics | undefined): number {
  if (!metrics || metrics.errors === 0) return 1;
  const underCovers = metrics.coverage95 < 0.9 || metrics.coverage80 < 0.7;
  if (!underCovers || !Number.isFinite(metrics.intervalRatio)) return 1;
  return Math.min(MAX_WIDENING, Math.max(1, metrics.intervalRatio));
}

export function widen(fc: IntervalForecast, factor: number): IntervalForecast {
  if (factor === 1) return fc;
  const scaled = (bound: number[]): number[] => bound.map((b, j) => fc.point[j] + factor * (b - fc.point[j]));
  return {
    point: [...fc.point],
    lower80: scaled(fc.lower80),
    upper80: scaled(fc.upper80),
    lower95: scaled(fc.lower95),
    upper95: scaled(fc.upper95),
  };
}

/**
 * Converts to steps, replacing any non-finite number by the fallback forecast and, when
 * `nonNegative`, clamping at 0: revenue cannot be negative, so a negative bound or point
 * only reflects the normal approximation, not a possible outcome.
 */
export function toSteps(
  fc: IntervalForecast,
  fallback: IntervalForecast,
  nonNegative: boolean,
): { steps: ForecastStep[]; repaired: number } {
  let repaired = 0;
  const pick = (key: keyof IntervalForecast, j: number): number => {
    let v = fc[key][j];
    if (!Number.isFinite(v)) {
      repaired++;
      v = Number.isFinite(fallback[key][j]) ? fallback[key][j] : 0;
    }
    return nonNegative ? Math.max(0, v) : v;
  };
  const steps = fc.point.map((_, j) => {
    const point = pick('point', j);
    const lower80 = Math.min(pick('lower80', j), point);
    const upper80 = Math.max(pick('upper80', j), point);
    return {
      step: j + 1,
      point,
      lower80,
      upper80,
      lower95: Math.min(pick('lower95', j), lower80),
      upper95: Math.max(pick('upper95', j), upper80),
    };
  });
  return { steps, repaired };
}

/** Non-finite metrics become null so the JSON never carries NaN or Infinity. */
export function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}
